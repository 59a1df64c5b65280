import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NatsConnection } from '@nats-io/nats-core';
import { connectNats, silentLogger, type Logger } from '@troupe/transport';
import { isLoopback, type DashboardAccess } from './access.js';
import { createDashboard, type Dashboard } from './create-dashboard.js';

export interface ServeDashboardOptions extends DashboardAccess {
  /** An open connection, or a URL to connect to (the connection is then owned and drained here). */
  connection?: NatsConnection;
  natsUrl?: string;
  /** Listen address (default 127.0.0.1); anything else requires a token or tenant keys. */
  host?: string;
  /** Port (default 0: a free one). */
  port?: number;
  logger?: Logger;
  traceUrl?: string;
}

export interface ServedDashboard extends AsyncDisposable {
  /** `http://host:port/dashboard/` */
  readonly url: string;
  readonly dashboard: Dashboard;
  close(): Promise<void>;
}

/**
 * A standalone HTTP server for the dashboard, for when no gateway runs (`troupe up` starts one).
 *
 * @example
 * await using served = await serveDashboard({ natsUrl: 'nats://127.0.0.1:4222' });
 * console.log(`dashboard: ${served.url}`);
 */
export async function serveDashboard(options: ServeDashboardOptions): Promise<ServedDashboard> {
  const host = options.host ?? '127.0.0.1';
  const owned = options.connection ? undefined : await connectNats({ servers: options.natsUrl ?? 'nats://127.0.0.1:4222' });
  const connection = options.connection ?? owned!;
  let dashboard: Dashboard;
  try {
    dashboard = createDashboard({
      connection,
      requireToken: !isLoopback(host),
      logger: options.logger ?? silentLogger,
      ...(options.token ? { token: options.token } : {}),
      ...(options.tenantKeys ? { tenantKeys: options.tenantKeys } : {}),
      ...(options.traceUrl ? { traceUrl: options.traceUrl } : {}),
    });
  } catch (error) {
    await owned?.drain();
    throw error;
  }
  const server: Server = createServer((request, response) => {
    dashboard.handle(request, response).then(
      (served) => {
        if (served) return;
        if (request.url === '/' || request.url === '') response.writeHead(302, { location: '/dashboard/' }).end();
        else response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      },
      (error: unknown) => {
        (options.logger ?? silentLogger).error({ err: error }, 'dashboard request failed');
        if (!response.headersSent) response.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await dashboard.dispose();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await owned?.drain();
    })());
  const shown = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${shown}:${port}/dashboard/`, dashboard, close, [Symbol.asyncDispose]: close };
}
