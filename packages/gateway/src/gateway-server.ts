import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NatsConnection } from '@nats-io/nats-core';
import { createTroupeClient, type TroupeClient } from '@troupe/client';
import { silentLogger, type Logger } from '@troupe/transport';
import { ApiKeys, type ApiKeyConfigInput, type Caller } from './api-keys.js';
import { handleChatCompletion } from './chat-completions.js';
import { handleMcp } from './mcp-http.js';
import { listModels } from './model-list.js';
import { GatewayError, gatewayErrorOf, sendError } from './openai-error.js';
import { readBody } from './read-body.js';
import { TroupeDirectory } from './troupe-directory.js';

/** Something else the gateway's HTTP server serves (e.g. the dashboard under `/dashboard`). */
export interface MountedHandler {
  /** Serves the request and resolves true, or resolves false to let the gateway answer it. */
  handle(request: IncomingMessage, response: ServerResponse): Promise<boolean>;
}

export interface GatewayOptions {
  connection: NatsConnection;
  /** API keys and the tenants, budgets and rates they map to. */
  keys: readonly ApiKeyConfigInput[];
  logger?: Logger;
  /** Skill the one-node chat tasks run as (default `generate`). */
  chatSkill?: string;
  /** Per-request task timeout (default 120 s). */
  timeoutMs?: number;
  /** Largest request body (default 1 MiB). */
  maxBodyBytes?: number;
  /** Tried before the gateway's own 404, in order. */
  handlers?: readonly MountedHandler[];
}

export interface Gateway {
  readonly server: Server;
  /** Listens and resolves with the base URL (`http://host:port`). */
  listen(port?: number, host?: string): Promise<string>;
  /** Mounts another handler (the dashboard). */
  mount(handler: MountedHandler): void;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * The OpenAI-compatible HTTP gateway and `/mcp`, on node:http. It reaches Troupe only over NATS
 * through `@troupe/client`, so it can run on another machine than the planners.
 *
 * @example
 * await using gateway = createGateway({ connection, keys: [{ key: process.env.MY_KEY!, tenant: 'acme' }] });
 * const url = await gateway.listen(8080);
 * // new OpenAI({ baseURL: `${url}/v1`, apiKey: process.env.MY_KEY })
 */
export function createGateway(options: GatewayOptions): Gateway {
  const logger = (options.logger ?? silentLogger).child({ actor: 'gateway' });
  const keys = new ApiKeys(options.keys);
  const directory = new TroupeDirectory(options.connection);
  // Learn the served models and pipelines before the first request needs them.
  void directory.refresh();
  const handlers = [...(options.handlers ?? [])];
  const clients = new Map<string, TroupeClient>();
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const clientFor = (tenant: string) => {
    let client = clients.get(tenant);
    if (!client) clients.set(tenant, (client = createTroupeClient({ connection: options.connection, tenant, timeoutMs })));
    return client;
  };

  const route = async (request: IncomingMessage, response: ServerResponse, requestId: string, admitted: { caller?: Caller }): Promise<void> => {
    const path = (request.url ?? '/').split('?', 1)[0]!;
    if (path === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (path === '/v1/chat/completions' || path === '/v1/models' || path.startsWith('/v1/models/') || path === '/mcp') {
      const caller = (admitted.caller = keys.admit(request.headers.authorization));
      if (path === '/mcp') return handleMcp(await readBody(request, maxBodyBytes), request, response, { client: clientFor(caller.tenant), directory, timeoutMs });
      if (path === '/v1/chat/completions') {
        if (request.method !== 'POST') throw new GatewayError(405, 'use POST for /v1/chat/completions', 'invalid_request_error', 'method_not_allowed');
        const body = await readBody(request, maxBodyBytes);
        return handleChatCompletion(body, request, response, { client: clientFor(caller.tenant), caller, directory, requestId, skill: options.chatSkill ?? 'generate', timeoutMs });
      }
      return listModels(path, response, directory, { ...caller.headers, 'x-request-id': requestId });
    }
    // ── Mounted handlers (the dashboard mounts here under /dashboard) ──
    for (const handler of handlers) if (await handler.handle(request, response)) return;
    throw new GatewayError(404, `no route for ${request.method} ${path}: try POST /v1/chat/completions, GET /v1/models or /mcp`, 'invalid_request_error', 'not_found');
  };

  const server = createServer({ keepAliveTimeout: 65_000 }, (request, response) => {
    const requestId = `req_${randomUUID().replaceAll('-', '')}`;
    const admitted: { caller?: Caller } = {};
    route(request, response, requestId, admitted).catch((error: unknown) => {
      const failure = gatewayErrorOf(error);
      if (failure.status >= 500) logger.warn({ err: error, requestId }, 'request failed');
      sendError(response, failure, { ...admitted.caller?.headers, 'x-request-id': requestId });
    });
  });
  // Latency: answer small responses in one segment.
  server.on('connection', (socket) => socket.setNoDelay(true));

  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    }));
  return {
    server,
    listen: (port = 0, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const address = server.address() as AddressInfo;
          resolve(`http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`);
        });
      }),
    mount: (handler) => handlers.push(handler),
    close,
    [Symbol.asyncDispose]: close,
  };
}
