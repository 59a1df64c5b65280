import type { ServerResponse } from 'node:http';
import { ErrorCode, errorStatus, getTroupeErrorFromUnknown, type ErrorReply } from '@troupe/protocol';

/** OpenAI's error body: `{ error: { message, type, param, code } }`, which every OpenAI SDK parses. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** An error the gateway answers with: an HTTP status and OpenAI's error shape. */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'GatewayError';
  }

  body(): OpenAIErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** OpenAI error `type` by HTTP status. */
function typeOf(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** `BUDGET_EXCEEDED` → `budget_exceeded`: Troupe's codes, in OpenAI's lower-case style. */
function codeOf(code: string): string {
  return code.toLowerCase();
}

/**
 * Any error (a TroupeError from NATS, a task's error reply, a bug) as a GatewayError. Status comes
 * from the protocol's table; a budget stop is 429 like OpenAI's `insufficient_quota`.
 */
export function gatewayErrorOf(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  const troupe = getTroupeErrorFromUnknown(error);
  return fromReply({ code: troupe.code, message: troupe.message });
}

/** A failed task's error reply as a GatewayError. */
export function fromReply(reply: Pick<ErrorReply, 'code' | 'message'>): GatewayError {
  const code = reply.code as ErrorCode;
  const status = code === ErrorCode.BUDGET_EXCEEDED ? 429 : code === ErrorCode.CANCELLED ? 499 : (errorStatus[code] ?? 500);
  // Internal failures keep their code but not their (possibly revealing) message.
  const message = status >= 500 && code === ErrorCode.INTERNAL ? 'the gateway failed to serve the request' : reply.message;
  return new GatewayError(status, message, typeOf(status), codeOf(code));
}

/** Writes a GatewayError as JSON (headers included) unless the response has started. */
export function sendError(response: ServerResponse, error: GatewayError, headers: Record<string, string> = {}): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  const body = JSON.stringify(error.body());
  response.writeHead(error.status, { ...headers, ...error.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
