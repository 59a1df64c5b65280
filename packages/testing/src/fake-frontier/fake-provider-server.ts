import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeBehaviour, FakeErrorKind } from './fake-behaviour.js';
import { formatSse, type SseEvent } from './sse.js';

/** One request as the fake saw it; `rejected` says why the fake refused it, if it did. */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
  stream: boolean;
  /** The header (or `key` query parameter) that carried the credential. */
  credentialSource?: string;
  /** What the fake answered: a behaviour type, `auth-failed` or `invalid-request`. */
  outcome: string;
  rejected?: string;
}

/** A rendered HTTP answer. */
export interface FakeHttpAnswer {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

/** The per-API part of a fake: routes, auth, request validation, and response rendering. */
export interface FakeDialect {
  readonly name: string;
  /** The base URL a client is given, relative to the server origin (e.g. `/v1` for OpenAI). */
  readonly basePath: string;
  /** Whether this method+path is an endpoint of the API; `stream` when the path itself says so. */
  route(method: string, url: URL): { streamPath: boolean } | undefined;
  credential(headers: IncomingHttpHeaders, url: URL): { key: string; source: string } | undefined;
  /** Whether a valid request asks for SSE. */
  wantsStream(body: Record<string, unknown>, url: URL, streamPath: boolean): boolean;
  /** A readable reason the request would be rejected by the real API, or undefined. */
  validate(request: FakeRequest, headers: IncomingHttpHeaders): string | undefined;
  reply(request: FakeRequest, behaviour: Extract<FakeBehaviour, { type: 'reply' }>): unknown;
  streamReply(request: FakeRequest, behaviour: Extract<FakeBehaviour, { type: 'reply' }>): SseEvent[];
  error(kind: FakeErrorKind, values: { apiKey: string; retryAfterSeconds?: number }): FakeHttpAnswer;
  invalid(message: string): FakeHttpAnswer;
  readonly sseLineEnd?: string;
}

export interface FakeProviderOptions {
  /** The key the fake accepts; anything else gets the API's authentication error. */
  apiKey?: string;
}

/** A fake frontier API on 127.0.0.1:<free port>, scriptable per test with a queue of behaviours. */
export interface FakeProviderServer extends AsyncDisposable {
  /** Give this as `baseUrl` in the model config. */
  readonly url: string;
  readonly apiKey: string;
  /** Every request received, in order. */
  readonly requests: FakeRequest[];
  /** Queues behaviours for the next requests (first in, first out). */
  enqueue(...behaviours: FakeBehaviour[]): FakeProviderServer;
  /** Behaviours not yet consumed. */
  pending(): number;
  close(): Promise<void>;
}

export async function startFakeProviderServer(dialect: FakeDialect, options: FakeProviderOptions = {}): Promise<FakeProviderServer> {
  const apiKey = options.apiKey ?? `test-key-${dialect.name}`;
  const queue: FakeBehaviour[] = [];
  const requests: FakeRequest[] = [];

  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
      void handle(incoming.method ?? 'GET', url, incoming.headers, Buffer.concat(chunks).toString('utf8'), response);
    });
  });

  async function handle(method: string, url: URL, headers: IncomingHttpHeaders, raw: string, response: ServerResponse) {
    const route = dialect.route(method, url);
    const request: FakeRequest = { method, path: url.pathname, query: url.searchParams, headers, body: undefined, stream: false, outcome: 'not-found' };
    requests.push(request);
    if (!route) return sendJson(response, { status: 404, body: { error: { message: `no route ${method} ${url.pathname}` } } });

    const credential = dialect.credential(headers, url);
    if (credential) request.credentialSource = credential.source;
    if (!credential || credential.key !== apiKey) {
      request.outcome = 'auth-failed';
      return sendJson(response, dialect.error('auth', { apiKey: credential?.key ?? '' }));
    }
    try {
      request.body = JSON.parse(raw);
    } catch {
      return reject(request, response, 'the request body is not valid JSON');
    }
    if (!isRecord(request.body)) return reject(request, response, 'the request body must be a JSON object');
    request.stream = dialect.wantsStream(request.body, url, route.streamPath);
    const problem = dialect.validate(request, headers);
    if (problem) return reject(request, response, problem);

    const behaviour = queue.shift() ?? { type: 'reply' };
    request.outcome = behaviour.type;
    if ('delayMs' in behaviour && behaviour.delayMs) await wait(response, behaviour.delayMs);
    if (response.destroyed) return;
    switch (behaviour.type) {
      case 'reply':
        if (!request.stream) return sendJson(response, { status: 200, body: dialect.reply(request, behaviour) });
        return sendEvents(response, dialect.streamReply(request, behaviour), behaviour.chunkDelayMs ?? 0);
      case 'error': {
        const answer = dialect.error(behaviour.error, { apiKey, ...(behaviour.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: behaviour.retryAfterSeconds }) });
        const extra: Record<string, string> = {};
        if (behaviour.retryAfterSeconds !== undefined) extra['retry-after'] = String(behaviour.retryAfterSeconds);
        if (behaviour.retryAfterMs !== undefined) extra['retry-after-ms'] = String(behaviour.retryAfterMs);
        return sendJson(response, { ...answer, headers: { ...answer.headers, ...extra } });
      }
      case 'malformed':
        if (!request.stream) {
          response.writeHead(200, { 'content-type': 'application/json' });
          return response.end('{"id": "broken", "choices": [{"index": 0, "message": ');
        }
        {
          // A real first event, then the second one (same event name) with a broken JSON payload.
          const [first, second] = dialect.streamReply(request, { type: 'reply' });
          return sendEvents(response, [first!, { ...second!, data: '{"this is": not json' }], 0);
        }
      case 'cut':
        return cut(response, request, behaviour.afterEvents);
      case 'hang':
        return; // the socket stays open until the client gives up or the server closes
    }
  }

  function reject(request: FakeRequest, response: ServerResponse, message: string) {
    request.outcome = 'invalid-request';
    request.rejected = message;
    sendJson(response, dialect.invalid(message));
  }

  async function sendEvents(response: ServerResponse, events: SseEvent[], chunkDelayMs: number) {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const event of events) {
      if (response.destroyed) return;
      response.write(formatSse(event, dialect.sseLineEnd));
      if (chunkDelayMs > 0) await wait(response, chunkDelayMs);
    }
    response.end();
  }

  function cut(response: ServerResponse, request: FakeRequest, afterEvents?: number) {
    const reply = { type: 'reply' } as const;
    if (request.stream) {
      const events = dialect.streamReply(request, reply);
      const keep = afterEvents ?? Math.max(1, Math.floor(events.length / 2));
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const event of events.slice(0, keep)) response.write(formatSse(event, dialect.sseLineEnd));
    } else {
      const body = JSON.stringify(dialect.reply(request, reply));
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
      response.write(body.slice(0, Math.floor(body.length / 2)));
    }
    // Let the partial write reach the client before the connection drops.
    setTimeout(() => response.socket?.destroy(), 20);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closed = false;

  const fake: FakeProviderServer = {
    url: `http://127.0.0.1:${port}${dialect.basePath}`,
    apiKey,
    requests,
    enqueue(...behaviours) {
      queue.push(...behaviours);
      return fake;
    },
    pending: () => queue.length,
    async close() {
      if (closed) return;
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    [Symbol.asyncDispose]: () => fake.close(),
  };
  return fake;
}

function sendJson(response: ServerResponse, answer: FakeHttpAnswer) {
  if (response.destroyed) return;
  response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
  response.end(JSON.stringify(answer.body));
}

/** Waits, or stops early when the client goes away. */
function wait(response: ServerResponse, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    response.once('close', done);
    function done() {
      clearTimeout(timer);
      response.off('close', done);
      resolve();
    }
  });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
