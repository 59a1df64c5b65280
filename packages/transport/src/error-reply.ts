import type { ServiceMsg } from '@nats-io/services';
import { ErrorCode, errorStatus, TroupeError, type ErrorReply } from '@troupe/protocol';
import { encodeJson } from './codec.js';

/** Longest error message sent back; messages often quote the input, which may be 500 KB of it. */
export const MAX_ERROR_MESSAGE_CHARS = 1_000;
/** `Nats-Service-Error` is a header: one short line. */
const MAX_ERROR_HEADER_CHARS = 256;
const MAX_DETAILS_BYTES = 2_048;

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * The reply body for an error, bounded so that header plus body always fit in NATS's
 * max_payload however much of a hostile input the message quotes.
 */
export function boundedErrorReply(error: TroupeError): ErrorReply {
  const reply = error.toReply();
  const details = reply.details && encodeJson(reply.details).length <= MAX_DETAILS_BYTES ? reply.details : undefined;
  return {
    code: reply.code,
    message: truncate(reply.message, MAX_ERROR_MESSAGE_CHARS),
    ...(reply.retryable === undefined ? {} : { retryable: reply.retryable }),
    ...(details ? { details } : {}),
  };
}

/** A header value nats.js accepts: no CR/LF (it throws on them) or other control characters. */
export function errorHeaderValue(message: string): string {
  return truncate(message.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim(), MAX_ERROR_HEADER_CHARS);
}

/**
 * Sends a typed error reply (`Nats-Service-Error*` headers + `{code, message}`) and never throws:
 * a failure to answer is returned so the caller can log it, instead of crashing the process.
 */
export function respondWithError(message: ServiceMsg, error: TroupeError): unknown {
  const reply = boundedErrorReply(error);
  try {
    message.respondError(errorStatus[reply.code], errorHeaderValue(reply.message), encodeJson(reply));
    return undefined;
  } catch (cause) {
    try {
      const fallback: ErrorReply = { code: ErrorCode.INTERNAL, message: 'the error reply could not be sent', retryable: true };
      message.respondError(errorStatus.INTERNAL, fallback.message, encodeJson(fallback));
    } catch {
      // The connection is closed or draining: nobody can be answered.
    }
    return cause;
  }
}

/** Sends a success reply; a value too large for NATS becomes PAYLOAD_TOO_LARGE, not silence. */
export function respondWithValue(message: ServiceMsg, value: unknown): void {
  const data = encodeJson(value ?? null);
  try {
    message.respond(data);
  } catch (cause) {
    if (/max_payload/i.test(cause instanceof Error ? cause.message : '')) {
      throw new TroupeError(ErrorCode.PAYLOAD_TOO_LARGE, `the reply is ${data.length} bytes, more than the NATS server's max_payload`, { cause });
    }
    throw cause;
  }
}
