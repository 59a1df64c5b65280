import { headers as createHeaders, type NatsConnection } from '@nats-io/nats-core';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { z } from 'zod';
import { ErrorCode, ErrorReply, Header, TroupeError } from '@troupe/protocol';
import { encodeJson } from './codec.js';
import { injectTraceContext } from './trace-context.js';

const tracer = trace.getTracer('troupe-transport');
const decoder = new TextDecoder();

export interface RequestOptions<Reply extends z.ZodType> {
  timeoutMs: number;
  /** Validates the reply; omitted for internal hops whose sender is trusted. */
  replySchema?: Reply;
  idempotencyKey?: string;
  /** Span name, `troupe.<component>.<operation>`. */
  spanName?: string;
  signal?: AbortSignal;
}

/**
 * JSON request/reply with typed errors: error replies (`Nats-Service-Error*` headers + `{code, message}`)
 * become TroupeErrors, no responders → UNAVAILABLE, no answer in time → TIMEOUT.
 */
export async function requestJson<Reply extends z.ZodType = z.ZodUnknown>(
  connection: NatsConnection,
  subject: string,
  payload: unknown,
  options: RequestOptions<Reply>,
): Promise<z.output<Reply>> {
  const span = tracer.startSpan(options.spanName ?? `troupe.request ${subject}`, {
    kind: SpanKind.CLIENT,
    attributes: { 'messaging.system': 'nats', 'messaging.destination.name': subject },
  });
  const headers = injectTraceContext(createHeaders(), trace.setSpan(context.active(), span));
  if (options.idempotencyKey) headers.set(Header.idempotencyKey, options.idempotencyKey);
  headers.set(Header.deadline, String(Date.now() + options.timeoutMs));
  try {
    options.signal?.throwIfAborted();
    let data: Uint8Array;
    try {
      data = encodeJson(payload);
    } catch (cause) {
      // Too deep for JSON.stringify (V8 recurses), circular, or a BigInt: retrying cannot help.
      throw new TroupeError(ErrorCode.BAD_REQUEST, `the request on ${subject} cannot be encoded as JSON: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    }
    const message = await connection.request(subject, data, { timeout: options.timeoutMs, headers });
    const errorHeader = message.headers?.get(Header.serviceErrorCode);
    if (errorHeader) throw errorFromReply(message.data, message.headers?.get(Header.serviceError) ?? '', Number(errorHeader));
    const value: unknown = message.data.length === 0 ? undefined : JSON.parse(decoder.decode(message.data));
    if (!options.replySchema) return value as z.output<Reply>;
    const parsed = options.replySchema.safeParse(value);
    if (!parsed.success) throw new TroupeError(ErrorCode.INTERNAL, `reply on ${subject} does not match its schema: ${parsed.error.message}`);
    return parsed.data;
  } catch (error) {
    const troupeError = toTransportError(error, subject, options.timeoutMs);
    span.setStatus({ code: SpanStatusCode.ERROR, message: troupeError.code });
    throw troupeError;
  } finally {
    span.end();
  }
}

function errorFromReply(data: Uint8Array, description: string, status: number): TroupeError {
  try {
    return TroupeError.fromReply(ErrorReply.parse(JSON.parse(decoder.decode(data))));
  } catch {
    // A non-Troupe micro-service replied with only the headers.
    return new TroupeError(status === 408 ? ErrorCode.TIMEOUT : ErrorCode.INTERNAL, description || `error ${status}`);
  }
}

function toTransportError(error: unknown, subject: string, timeoutMs: number): TroupeError {
  if (error instanceof TroupeError) return error;
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'NoRespondersError' || /no responders/i.test(message)) {
    return new TroupeError(ErrorCode.UNAVAILABLE, `no service is listening on ${subject}`, { cause: error });
  }
  if (name === 'TimeoutError' || /timeout/i.test(message)) {
    return new TroupeError(ErrorCode.TIMEOUT, `no reply on ${subject} within ${timeoutMs} ms`, { cause: error });
  }
  if (name === 'AbortError') return new TroupeError(ErrorCode.CANCELLED, `request on ${subject} was cancelled`, { cause: error });
  if (/max_payload/i.test(message)) {
    return new TroupeError(ErrorCode.PAYLOAD_TOO_LARGE, `the request on ${subject} is larger than the NATS server's max_payload`, { cause: error });
  }
  if (/permission/i.test(message)) return new TroupeError(ErrorCode.PERMISSION_DENIED, `not allowed to publish on ${subject}`, { cause: error });
  return new TroupeError(ErrorCode.UNAVAILABLE, `request on ${subject} failed: ${message}`, { cause: error });
}
