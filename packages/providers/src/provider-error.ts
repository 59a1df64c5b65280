import { ErrorCode, TroupeError } from '@troupe/protocol';
import type { CallScope } from './call-scope.js';
import { redactSecrets } from './redact.js';
import { retryAfterMsFromHeaders, retryAfterMsFromRetryInfo } from './retry-after.js';

/** What the error mapping needs to know about the call that failed. */
export interface ProviderErrorContext {
  provider: string;
  modelId: string;
  /** Values that must never leave this package (the API key). */
  secrets: readonly string[];
  scope: CallScope;
  /** Headers of the failed response when the SDK's error does not carry them (Gemini). */
  responseHeaders?: Headers | undefined;
}

const CONTEXT_OVERFLOW =
  /context[ _]length|context window|maximum context|prompt is too long|too many tokens|exceeds the maximum number of tokens|input token count|reduce the length/i;
const MAX_MESSAGE = 500;

/** The provider's own error body, whichever SDK threw: `{ message, type, code, status, details }`. */
interface ProviderBody {
  message?: string;
  type?: string;
  code?: string;
  reason?: string;
  details?: unknown;
}

function providerBodyOf(error: Record<string, unknown>): ProviderBody {
  let body: unknown = error.error;
  if (body === undefined && typeof error.message === 'string') {
    // Gemini's ApiError carries the response body as its JSON message.
    const json = /\{[\s\S]*\}$/.exec(error.message)?.[0];
    try {
      body = json ? JSON.parse(json) : undefined;
    } catch {
      body = undefined;
    }
  }
  if (!body || typeof body !== 'object') return {};
  const outer = body as Record<string, unknown>;
  const inner = (outer.error && typeof outer.error === 'object' ? outer.error : outer) as Record<string, unknown>;
  const details = inner.details;
  const reason = Array.isArray(details)
    ? details.map((detail) => (detail as { reason?: unknown } | null)?.reason).find((value): value is string => typeof value === 'string')
    : undefined;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return {
    message: text(error.apiMessage) ?? text(inner.message),
    type: text(inner.type) ?? text(inner.status),
    code: text(inner.code) ?? text(error.errorCode) ?? reason,
    reason,
    details,
  };
}

/**
 * Normalises whatever an SDK threw into a TroupeError: 401/403 AUTH_FAILED, 429 RATE_LIMITED with
 * `retryAfterMs`, 408/409/5xx PROVIDER_ERROR (retryable), 400 "context length" CONTEXT_OVERFLOW,
 * malformed bodies and dropped connections PROVIDER_ERROR, our deadline TIMEOUT, the caller's
 * abort CANCELLED. Messages and the kept `cause` are redacted; `details` never hold headers.
 */
export function toProviderError(thrown: unknown, context: ProviderErrorContext): TroupeError {
  if (thrown instanceof TroupeError) return thrown;
  const { provider, modelId, scope } = context;
  const base = { provider, modelId };
  const redact = (text: string) => redactSecrets(text, context.secrets).slice(0, MAX_MESSAGE);
  const error = (thrown && typeof thrown === 'object' ? thrown : { message: String(thrown) }) as Record<string, unknown>;
  const name = typeof error.name === 'string' && error.name !== 'Error' ? error.name : ((thrown as object)?.constructor?.name ?? 'Error');
  const rawMessage = typeof error.message === 'string' ? error.message : String(thrown);
  // The SDK error may quote the key (some APIs echo it); keep a scrubbed copy as the cause.
  const cause = Object.assign(new Error(redact(rawMessage)), { name });
  const make = (code: ErrorCode, message: string, details: Record<string, unknown> = {}, retryable?: boolean) =>
    new TroupeError(code, `${provider} ${modelId}: ${redact(message)}`, {
      cause,
      details: { ...base, ...details },
      ...(retryable === undefined ? {} : { retryable }),
    });

  if (scope.timedOut()) return make(ErrorCode.TIMEOUT, `no answer within ${scope.timeoutMs} ms`, { timeoutMs: scope.timeoutMs });
  if (scope.cancelled()) return make(ErrorCode.CANCELLED, 'the call was cancelled');

  const status = typeof error.status === 'number' ? error.status : undefined;
  if (status === undefined) {
    if (name === 'APIConnectionTimeoutError') return make(ErrorCode.TIMEOUT, 'the request timed out');
    if (name === 'APIUserAbortError' || name === 'AbortError') return make(ErrorCode.CANCELLED, 'the request was aborted');
    if (thrown instanceof SyntaxError || /JSON|Unexpected token|parse/i.test(rawMessage)) {
      return make(ErrorCode.PROVIDER_ERROR, `malformed response: ${rawMessage}`, { malformed: true }, true);
    }
    return make(ErrorCode.PROVIDER_ERROR, `connection failed: ${rawMessage}`, {}, true);
  }

  const body = providerBodyOf(error);
  const providerMessage = body.message ?? rawMessage;
  const facts = {
    status,
    ...(body.type ? { providerType: body.type } : {}),
    ...(body.code ? { providerCode: body.code } : {}),
  };
  const headers = error.headers instanceof Headers ? error.headers : context.responseHeaders;

  if (status === 401 || status === 403 || body.reason === 'API_KEY_INVALID') {
    return make(ErrorCode.AUTH_FAILED, `authentication failed (HTTP ${status}): ${providerMessage}`, facts);
  }
  if (status === 429) {
    const retryAfterMs = retryAfterMsFromHeaders(headers) ?? retryAfterMsFromRetryInfo(body.details);
    return make(ErrorCode.RATE_LIMITED, `rate limited (HTTP 429): ${providerMessage}`, {
      ...facts,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  if (status === 408 || status === 409 || status >= 500) {
    return make(ErrorCode.PROVIDER_ERROR, `server error (HTTP ${status}): ${providerMessage}`, facts, true);
  }
  if ((status === 400 || status === 413 || status === 422) && (body.code === 'context_length_exceeded' || CONTEXT_OVERFLOW.test(providerMessage))) {
    return make(ErrorCode.CONTEXT_OVERFLOW, `the prompt does not fit the context window: ${providerMessage}`, facts);
  }
  if (status === 404) return make(ErrorCode.MODEL_NOT_FOUND, `not found (HTTP 404): ${providerMessage}`, facts);
  return make(ErrorCode.PROVIDER_ERROR, `request rejected (HTTP ${status}): ${providerMessage}`, facts, false);
}

/** A stream that closed before its final chunk: retryable, since the request itself was fine. */
export function incompleteStreamError(provider: string, modelId: string, missing: string): TroupeError {
  return new TroupeError(ErrorCode.PROVIDER_ERROR, `${provider} ${modelId}: the stream ended before ${missing}`, {
    retryable: true,
    details: { provider, modelId, incompleteStream: true },
  });
}

/** A 200 response without the fields the contract needs (choices, usage). */
export function malformedResponseError(provider: string, modelId: string, missing: string): TroupeError {
  return new TroupeError(ErrorCode.PROVIDER_ERROR, `${provider} ${modelId}: malformed response: ${missing}`, {
    retryable: true,
    details: { provider, modelId, malformed: true },
  });
}
