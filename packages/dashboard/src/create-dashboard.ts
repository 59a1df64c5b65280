import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NatsConnection } from '@nats-io/nats-core';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import { silentLogger, type Logger } from '@troupe/transport';
import { ACCESS_COOKIE, accessConfigured, credentialOf, viewerOf, type DashboardAccess, type Viewer } from './access.js';
import { computeEconomics } from './economics.js';
import { startNatsFeed } from './nats-feed.js';
import { renderPage } from './page.js';
import { TaskBoard } from './task-board.js';
import type { DashboardSnapshot } from './views.js';

export interface DashboardOptions extends DashboardAccess {
  /** A NATS connection with service-level rights (events, `$KV.troupe_tasks`, `$SRV`, dead letters). */
  connection: NatsConnection;
  logger?: Logger;
  /**
   * A credential on every request (set it when the HTTP server listens beyond loopback; the
   * dashboard then refuses to start without a token or tenant keys). Default: required when an
   * operator `token` is given; otherwise requests without one see everything and tenant keys scope.
   */
  requireToken?: boolean;
  /** Where it is mounted (default `/dashboard`). */
  basePath?: string;
  /** Link for a trace id, `{traceId}` replaced (e.g. `http://127.0.0.1:16686/trace/{traceId}`). */
  traceUrl?: string;
  /** Tasks kept in memory (default 500). */
  capacity?: number;
  /** Tasks sent to a browser per update (default 150). */
  listLimit?: number;
}

export interface Dashboard extends AsyncDisposable {
  /** Serves the request when its path is under the base path; resolves true when it did. */
  handle(request: IncomingMessage, response: ServerResponse): Promise<boolean>;
  /** The snapshot a viewer sees now (also `GET <base>/api/snapshot`). */
  snapshot(viewer?: Viewer): DashboardSnapshot;
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** The client: plain scripts and a stylesheet, read once; no bundler, no CDN. */
const ASSET_NAMES = ['app.js', 'charts.js', 'dag.js', 'app.css', 'charts.css'] as const;
const asset = (name: string) => readFileSync(new URL(`../assets/${name}`, import.meta.url), 'utf8');
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
} as const;

/**
 * The live dashboard as a request handler, to mount in any Node HTTP server (the gateway mounts it
 * under `/dashboard`). It follows the runtime over NATS only and pushes snapshots to browsers with
 * server-sent events.
 *
 * @example
 * await using dashboard = createDashboard({ connection });
 * http.createServer(async (request, response) => {
 *   if (!(await dashboard.handle(request, response))) response.writeHead(404).end();
 * }).listen(8080, '127.0.0.1');
 */
export function createDashboard(options: DashboardOptions): Dashboard {
  if (options.requireToken && !accessConfigured(options)) {
    throw new TroupeError(
      ErrorCode.CONFIG_INVALID,
      'the dashboard listens beyond 127.0.0.1: give it a token (TROUPE_DASHBOARD_TOKEN) or tenant keys',
    );
  }
  const requireCredential = Boolean(options.requireToken) || Boolean(options.token);
  const logger = options.logger ?? silentLogger;
  const base = (options.basePath ?? '/dashboard').replace(/\/$/, '');
  const listLimit = options.listLimit ?? 150;
  const board = new TaskBoard(options.capacity ?? 500);
  const clients = new Set<{ viewer: Viewer; response: ServerResponse }>();
  const assets = new Map(ASSET_NAMES.map((name) => [name, asset(name)] as const));
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;

  const flush = () => {
    flushTimer = undefined;
    const byViewer = new Map<string, string>();
    for (const client of clients) {
      const key = client.viewer.kind === 'admin' ? '' : client.viewer.tenant;
      let payload = byViewer.get(key);
      if (payload === undefined) {
        payload = `event: snapshot\ndata: ${JSON.stringify(snapshot(client.viewer))}\n\n`;
        byViewer.set(key, payload);
      }
      client.response.write(payload);
    }
  };
  // Coalesced: a burst of events (a 10-node DAG finishing) becomes one push, at most every 100 ms.
  const changed = () => {
    if (!flushTimer && clients.size > 0 && !disposed) flushTimer = setTimeout(flush, 100);
  };
  const feed = startNatsFeed({ connection: options.connection, board, logger: logger.child({ component: 'dashboard' }), onChange: changed });
  const heartbeat = setInterval(() => {
    for (const client of clients) client.response.write(': keep-alive\n\n');
  }, 15_000);
  heartbeat.unref();

  function snapshot(viewer: Viewer = { kind: 'admin' }): DashboardSnapshot {
    const tenant = viewer.kind === 'tenant' ? viewer.tenant : undefined;
    const tasks = board.tasks(tenant);
    return {
      generatedAt: Date.now(),
      ...(tenant ? { tenant } : {}),
      tasks: tasks.slice(0, listLimit),
      economics: computeEconomics(tasks, board.calls(tenant)),
      ...(viewer.kind === 'admin' ? { services: feed.services() } : {}),
      deadLetters: feed.deadLetters().filter((letter) => !tenant || letter.tenant === tenant),
      ...(options.traceUrl ? { traceUrl: options.traceUrl } : {}),
      feed: { ...feed.health },
    };
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    const url = new URL(request.url ?? '/', 'http://dashboard.invalid');
    if (url.pathname !== base && !url.pathname.startsWith(`${base}/`)) return false;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', ...SECURITY_HEADERS }).end();
      return true;
    }
    const credential = credentialOf(request, url);
    const viewer = viewerOf(credential, options, requireCredential);
    const path = url.pathname.slice(base.length) || '/';
    if (path.startsWith('/assets/')) {
      const name = path.slice('/assets/'.length);
      const body = assets.get(name as (typeof ASSET_NAMES)[number]);
      if (body === undefined) response.writeHead(404, SECURITY_HEADERS).end();
      else
        response
          .writeHead(200, {
            ...SECURITY_HEADERS,
            'content-type': name.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
          })
          .end(body);
      return true;
    }
    if (!viewer) {
      response.writeHead(401, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer' });
      response.end(`A token is required: open ${base}?token=<token> once, or send "Authorization: Bearer <token>".\n`);
      return true;
    }
    if (url.searchParams.has('token')) {
      // Moves the token from the address bar (and history) into an HttpOnly cookie.
      response.writeHead(303, {
        ...SECURITY_HEADERS,
        'set-cookie': `${ACCESS_COOKIE}=${encodeURIComponent(credential ?? '')}; Path=${base}; HttpOnly; SameSite=Strict`,
        location: `${base}/${url.hash}`,
      });
      response.end();
      return true;
    }
    if (path === '/') {
      response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' }).end(renderPage(snapshot(viewer), base));
    } else if (path === '/api/snapshot') {
      response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'application/json' }).end(JSON.stringify(snapshot(viewer)));
    } else if (path === '/events') {
      response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      response.write(`retry: 2000\nevent: snapshot\ndata: ${JSON.stringify(snapshot(viewer))}\n\n`);
      const client = { viewer, response };
      clients.add(client);
      request.once('close', () => clients.delete(client));
    } else {
      response.writeHead(404, { ...SECURITY_HEADERS, 'content-type': 'text/plain' }).end('not found\n');
    }
    return true;
  }

  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    clearInterval(heartbeat);
    if (flushTimer) clearTimeout(flushTimer);
    for (const client of clients) client.response.end();
    clients.clear();
    await feed.dispose();
  };
  return { handle, snapshot, dispose, [Symbol.asyncDispose]: dispose };
}
