/**
 * Every error that can cross a process boundary carries one of these codes.
 * `retryable` tells callers whether the same request may succeed later unchanged.
 */
export const ErrorCode = {
  BAD_REQUEST: 'BAD_REQUEST',
  INVALID_TASK: 'INVALID_TASK',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNKNOWN_PIPELINE: 'UNKNOWN_PIPELINE',
  UNKNOWN_SKILL: 'UNKNOWN_SKILL',
  PLAN_INVALID: 'PLAN_INVALID',
  NOT_FOUND: 'NOT_FOUND',
  PERMISSION_DENIED: 'PERMISSION_DENIED',
  TIMEOUT: 'TIMEOUT',
  CANCELLED: 'CANCELLED',
  BUSY: 'BUSY',
  UNAVAILABLE: 'UNAVAILABLE',
  NO_ROUTE: 'NO_ROUTE',
  BUDGET_EXCEEDED: 'BUDGET_EXCEEDED',
  MODEL_NOT_FOUND: 'MODEL_NOT_FOUND',
  MODEL_LOAD_FAILED: 'MODEL_LOAD_FAILED',
  CONTEXT_OVERFLOW: 'CONTEXT_OVERFLOW',
  UNSUPPORTED_SCHEMA: 'UNSUPPORTED_SCHEMA',
  OUTPUT_INVALID: 'OUTPUT_INVALID',
  PROVIDER_ERROR: 'PROVIDER_ERROR',
  RATE_LIMITED: 'RATE_LIMITED',
  AUTH_FAILED: 'AUTH_FAILED',
  CIRCUIT_OPEN: 'CIRCUIT_OPEN',
  NODE_FAILED: 'NODE_FAILED',
  CONFIG_INVALID: 'CONFIG_INVALID',
  DISPOSED: 'DISPOSED',
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const RETRYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  ErrorCode.TIMEOUT,
  ErrorCode.BUSY,
  ErrorCode.UNAVAILABLE,
  ErrorCode.RATE_LIMITED,
  ErrorCode.PROVIDER_ERROR,
  ErrorCode.CIRCUIT_OPEN,
  ErrorCode.INTERNAL,
]);

/** Whether an error with this code may succeed when retried unchanged. */
export function isRetryableCode(code: ErrorCode): boolean {
  return RETRYABLE.has(code);
}

/** Maps codes to the HTTP-like status carried in the `Nats-Service-Error-Code` header. */
export const errorStatus: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  INVALID_TASK: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNKNOWN_PIPELINE: 404,
  UNKNOWN_SKILL: 404,
  PLAN_INVALID: 422,
  NOT_FOUND: 404,
  PERMISSION_DENIED: 403,
  TIMEOUT: 408,
  CANCELLED: 499,
  BUSY: 503,
  UNAVAILABLE: 503,
  NO_ROUTE: 422,
  BUDGET_EXCEEDED: 402,
  MODEL_NOT_FOUND: 404,
  MODEL_LOAD_FAILED: 500,
  CONTEXT_OVERFLOW: 413,
  UNSUPPORTED_SCHEMA: 422,
  OUTPUT_INVALID: 422,
  PROVIDER_ERROR: 502,
  RATE_LIMITED: 429,
  AUTH_FAILED: 401,
  CIRCUIT_OPEN: 503,
  NODE_FAILED: 422,
  CONFIG_INVALID: 400,
  DISPOSED: 410,
  INTERNAL: 500,
};
