import type { MsgHdrs, NatsConnection } from '@nats-io/nats-core';
import { Svcm, type Service, type ServiceMsg } from '@nats-io/services';
import { SpanKind, SpanStatusCode, context as otelContext, trace, type Context, type Span } from '@opentelemetry/api';
import type { z } from 'zod';
import { DEFAULT_MAX_PAYLOAD_BYTES, ErrorCode, Header, getTroupeErrorFromUnknown, TroupeError } from '@troupe/protocol';
import { decodeJson } from './codec.js';
import { boundedErrorReply, respondWithError, respondWithValue } from './error-reply.js';
import { IdempotencyCache } from './idempotency-cache.js';
import type { Logger } from './logger.js';
import { silentLogger } from './logger.js';
import { MAX_TIMER_DELAY_MS, parseDeadline, readRequestHeaders } from './request-headers.js';
import { EndpointTally } from './endpoint-tally.js';
import { extractTraceContext } from './trace-context.js';

const tracer = trace.getTracer('troupe-transport');

export interface RequestContext {
  subject: string;
  headers: MsgHdrs | undefined;
  idempotencyKey: string | undefined;
  /** Aborted at the caller's deadline or when the service stops without finishing. */
  signal: AbortSignal;
  traceContext: Context;
  logger: Logger;
}

export interface EndpointDefinition<Schema extends z.ZodType = z.ZodType> {
  name: string;
  subject: string;
  /** Queue group so replicas share the load; `''` for no queue (every replica answers). */
  queue?: string;
  schema: Schema;
  /** Code for JSON that does not match the schema (INVALID_TASK for public task subjects). */
  invalidCode?: typeof ErrorCode.INVALID_TASK | typeof ErrorCode.BAD_REQUEST;
  /** Span name `troupe.<component>.<operation>`. */
  spanName: string;
  /** Shown in `$SRV.INFO`, e.g. `{ skill: 'extract' }` so planners can discover workers. */
  metadata?: Record<string, string>;
  /** Same idempotency key → same reply, without running the handler twice (per replica). */
  idempotent?: boolean;
  handle(request: z.output<Schema>, context: RequestContext): Promise<unknown>;
}

/** Keeps the handler's request type tied to its schema when endpoints are listed in an array. */
export function defineEndpoint<Schema extends z.ZodType>(endpoint: EndpointDefinition<Schema>): EndpointDefinition {
  return endpoint as unknown as EndpointDefinition;
}

export interface TroupeServiceOptions {
  connection: NatsConnection;
  name: string;
  version: string;
  description: string;
  metadata?: Record<string, string>;
  logger?: Logger;
  maxPayloadBytes?: number;
  endpoints: EndpointDefinition[];
  /** Extra fields in `$SRV.STATS` (model, cost, queue depth…). */
  stats?: () => Record<string, unknown>;
  /**
   * Where `idempotent` endpoints remember replies by `Troupe-Idempotency-Key` (namespaced by
   * subject). Default: an in-memory cache per process; a shared store (`@troupe/kv`
   * `createKvIdempotency`) makes the promise hold across replicas.
   */
  idempotency?: IdempotencyStore;
}

/** Runs `work` once per key and gives every caller with that key the same reply. */
export interface IdempotencyStore {
  run(key: string, work: () => Promise<unknown>, signal?: AbortSignal): Promise<unknown>;
}

export interface TroupeService extends AsyncDisposable {
  readonly id: string;
  readonly inFlight: number;
  /** Stops taking work, waits for in-flight requests (aborting them after `graceMs`), idempotent. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Hosts endpoints as an ADR-32 NATS micro-service (`$SRV.PING/INFO/STATS`). This is the only
 * place request bytes are parsed: handlers receive typed values, and every failure becomes an
 * error reply with `Nats-Service-Error*` headers and a `{code, message}` body — never a crash.
 */
export async function createTroupeService(options: TroupeServiceOptions): Promise<TroupeService> {
  const logger = options.logger ?? silentLogger;
  const maxBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  const counters = { inFlight: 0, handled: 0, failures: 0, rejected: 0 };
  const controllers = new Set<AbortController>();
  const idempotency: IdempotencyStore = options.idempotency ?? new IdempotencyCache(10_000, 10 * 60_000);
  const tallies = new Map(options.endpoints.map((endpoint) => [endpoint.subject, new EndpointTally()] as const));
  let stopping: Promise<void> | undefined;

  const service: Service = await new Svcm(options.connection).add({
    name: options.name,
    version: options.version,
    description: options.description,
    ...(options.metadata ? { metadata: options.metadata } : {}),
    // nats.js counts an error only when a handler throws synchronously and times only the synchronous
    // part; our handlers are async and answer errors themselves, so the ADR-32 fields come from our tallies.
    statsHandler: async (endpoint) => {
      const tally = tallies.get(endpoint.subject);
      if (tally) tally.writeInto(endpoint);
      return { ...counters, ...(options.stats?.() ?? {}), ...(tally ? { p50Ms: tally.p50Ms() } : {}) };
    },
  });

  for (const endpoint of options.endpoints) {
    const endpointLogger = logger.child({ endpoint: endpoint.name });
    service.addEndpoint(endpoint.name, {
      subject: endpoint.subject,
      queue: endpoint.queue ?? 'q',
      ...(endpoint.metadata ? { metadata: endpoint.metadata } : {}),
      handler: (error, message) => {
        if (error) {
          endpointLogger.error({ err: error }, 'subscription failed');
          return;
        }
        // handleMessage answers every failure itself; this only guards the process against a bug there.
        handleMessage(endpoint, message, endpointLogger).catch((error: unknown) => endpointLogger.error({ err: error }, 'request handling failed'));
      },
    });
  }

  async function handleMessage(endpoint: EndpointDefinition, message: ServiceMsg, endpointLogger: Logger): Promise<void> {
    const startedAt = performance.now();
    const tally = tallies.get(endpoint.subject);
    if (!message.reply) {
      counters.rejected += 1;
      endpointLogger.warn({ subject: message.subject }, 'dropped a message without a reply subject');
      return;
    }
    counters.inFlight += 1;
    const controller = new AbortController();
    controllers.add(controller);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let span: Span | undefined;
    try {
      const headers = readRequestHeaders(message);
      const deadline = parseDeadline(headers?.get(Header.deadline));
      const remainingMs = deadline === undefined ? undefined : deadline - Date.now();
      if (remainingMs !== undefined && remainingMs <= MAX_TIMER_DELAY_MS) timer = setTimeout(() => controller.abort(), Math.max(0, remainingMs));
      const parent = extractTraceContext(headers);
      span = tracer.startSpan(endpoint.spanName, { kind: SpanKind.SERVER, attributes: { 'messaging.destination.name': message.subject } }, parent);
      const traceContext = trace.setSpan(parent, span);
      const idempotencyKey = headers?.get(Header.idempotencyKey) || undefined;
      let request: unknown;
      try {
        request = decodeJson(message.data, endpoint.schema, { maxBytes, ...(endpoint.invalidCode ? { invalidCode: endpoint.invalidCode } : {}) });
      } catch (error) {
        counters.rejected += 1;
        throw error;
      }
      if (remainingMs !== undefined && remainingMs < 0) throw new TroupeError(ErrorCode.TIMEOUT, 'the request arrived after its deadline');
      const run = () =>
        otelContext.with(traceContext, () =>
          endpoint.handle(request, { subject: message.subject, headers, idempotencyKey, signal: controller.signal, traceContext, logger: endpointLogger }),
        );
      const reply = endpoint.idempotent && idempotencyKey ? await idempotency.run(`${message.subject} ${idempotencyKey}`, run, controller.signal) : await run();
      respondWithValue(message, reply);
      counters.handled += 1;
    } catch (cause) {
      const error = getTroupeErrorFromUnknown(cause);
      counters.failures += 1;
      span?.setStatus({ code: SpanStatusCode.ERROR, message: error.code });
      // Logged once per rejected message, with the code: bad input is the caller's problem, not ours.
      const level = error.code === ErrorCode.INTERNAL ? 'error' : 'warn';
      const text = boundedErrorReply(error).message;
      endpointLogger[level]({ code: error.code, subject: message.subject, ...(level === 'error' ? { err: cause } : {}) }, text);
      tally?.countError(text);
      const unsent = respondWithError(message, error);
      if (unsent) endpointLogger.error({ err: unsent, code: error.code, subject: message.subject }, 'could not send the error reply');
    } finally {
      if (timer) clearTimeout(timer);
      controllers.delete(controller);
      counters.inFlight -= 1;
      tally?.countLatency(performance.now() - startedAt);
      span?.end();
    }
  }

  const stop = (graceMs = 10_000): Promise<void> => {
    stopping ??= (async () => {
      await service.stop().catch(() => undefined);
      const deadline = Date.now() + graceMs;
      while (counters.inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      for (const controller of controllers) controller.abort();
    })();
    return stopping;
  };

  return {
    id: service.info().id,
    get inFlight() {
      return counters.inFlight;
    },
    stop,
    [Symbol.asyncDispose]: () => stop(),
  };
}
