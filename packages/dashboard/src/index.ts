export { ACCESS_COOKIE, isLoopback, viewerOf, type DashboardAccess, type Viewer } from './access.js';
export { createDashboard, type Dashboard, type DashboardOptions } from './create-dashboard.js';
export { computeEconomics } from './economics.js';
export { FeedSource, startNatsFeed, type NatsFeed, type NatsFeedOptions } from './nats-feed.js';
export { escapeHtml, renderPage } from './page.js';
export { serveDashboard, type ServeDashboardOptions, type ServedDashboard } from './serve-dashboard.js';
export { discoverServices } from './service-directory.js';
export { TaskBoard, type CallSample } from './task-board.js';
export type { DashboardSnapshot, DeadLetterView, EconomicsView, NodeView, NodeViewStatus, ServiceView, TaskView } from './views.js';
