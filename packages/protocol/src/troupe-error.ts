import { ErrorCode, isRetryableCode } from './error-codes.js';
import { ErrorReply } from './messages/error-reply.js';

export interface TroupeErrorOptions {
  cause?: unknown;
  retryable?: boolean;
  details?: Record<string, unknown>;
}

/** The one error type of Troupe: a string `code`, a readable message, and whether to retry. */
export class TroupeError extends Error {
  override readonly name = 'TroupeError';
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: TroupeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? isRetryableCode(code);
    this.details = options.details;
  }

  /** The JSON body sent over NATS; never includes the cause or stack. */
  toReply(): ErrorReply {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.details ? { details: this.details } : {}),
    };
  }

  static fromReply(reply: ErrorReply): TroupeError {
    return new TroupeError(reply.code, reply.message, {
      retryable: reply.retryable,
      ...(reply.details ? { details: reply.details } : {}),
    });
  }
}

/** Normalises anything thrown into a TroupeError; unknown throws become INTERNAL. */
export function getTroupeErrorFromUnknown(cause: unknown, fallback: ErrorCode = ErrorCode.INTERNAL): TroupeError {
  if (cause instanceof TroupeError) return cause;
  if (cause instanceof Error && cause.name === 'AbortError') {
    return new TroupeError(ErrorCode.CANCELLED, 'the operation was aborted', { cause });
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return new TroupeError(fallback, message, { cause });
}

/** The wire form of anything thrown: a TroupeError's reply, an `{code, message}` object as is, else INTERNAL. */
export function errorReplyOf(error: unknown): ErrorReply {
  if (error instanceof TroupeError) return error.toReply();
  if (error && typeof error === 'object' && 'code' in error && 'message' in error) {
    const { code, message, retryable, details } = error as ErrorReply;
    return { code, message, retryable: retryable ?? false, ...(details ? { details } : {}) };
  }
  return getTroupeErrorFromUnknown(error).toReply();
}
