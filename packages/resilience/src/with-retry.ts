import { ErrorCode, getTroupeErrorFromUnknown, TroupeError } from '@troupe/protocol';
import { abortableSleep } from './abortable-sleep.js';
import type { Logger } from './logger.js';

export interface RetryOptions {
  /** Attempts including the first (default 3). */
  maxAttempts?: number;
  /** Backoff cap for attempt 1; doubles per attempt (default 250 ms). */
  initialDelayMs?: number;
  /** Upper bound of one backoff (default 8 s); a longer `retryAfterMs` from the server still wins. */
  maxDelayMs?: number;
  /** No wait may end past this much time since the first attempt started (default 30 s). */
  maxElapsedMs?: number;
  signal?: AbortSignal;
  /** Default: the error's `retryable`, except CIRCUIT_OPEN (retrying the same model is pointless; fall back instead). */
  isRetryable?: (error: TroupeError) => boolean;
  onRetry?: (info: { attempt: number; delayMs: number; error: TroupeError }) => void;
  logger?: Logger;
  /** Injection points for tests. */
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

export const defaultIsRetryable = (error: TroupeError): boolean => error.retryable && error.code !== ErrorCode.CIRCUIT_OPEN;

/**
 * "Full jitter" exponential backoff (AWS Architecture Blog): a uniform wait in
 * [0, min(maxDelay, initial × 2^(attempt-1))], raised to the server's `retryAfterMs` if it sent one.
 */
export function backoffDelayMs(attempt: number, error: TroupeError, options: RetryOptions = {}, random: () => number = Math.random): number {
  const cap = Math.min(options.maxDelayMs ?? 8_000, (options.initialDelayMs ?? 250) * 2 ** (attempt - 1));
  const jittered = Math.floor(random() * cap);
  const retryAfterMs = error.details?.retryAfterMs;
  return typeof retryAfterMs === 'number' && retryAfterMs > jittered ? retryAfterMs : jittered;
}

/**
 * Runs `operation` until it succeeds, fails with a non-retryable error, runs out of attempts,
 * or the next wait would cross `maxElapsedMs`. The final error is the last attempt's TroupeError
 * with `details.attempts` added. Aborting `signal` stops both the wait and the retry loop.
 *
 * @example
 * const result = await withRetry(({ signal }) => model.doGenerate({ ...call, signal }), { maxAttempts: 4, signal: call.signal });
 */
export async function withRetry<T>(operation: (attempt: { attempt: number; signal?: AbortSignal }) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const maxElapsedMs = options.maxElapsedMs ?? 30_000;
  const isRetryable = options.isRetryable ?? defaultIsRetryable;
  const sleep = options.sleep ?? abortableSleep;
  const now = options.now ?? Date.now;
  const startedAt = now();
  for (let attempt = 1; ; attempt += 1) {
    if (options.signal?.aborted) throw new TroupeError(ErrorCode.CANCELLED, 'cancelled before the attempt started', { cause: options.signal.reason });
    try {
      return await operation({ attempt, ...(options.signal ? { signal: options.signal } : {}) });
    } catch (thrown) {
      const error = getTroupeErrorFromUnknown(thrown);
      if (error.code === ErrorCode.CANCELLED || options.signal?.aborted || !isRetryable(error) || attempt >= maxAttempts) {
        throw withAttempts(error, attempt);
      }
      const delayMs = backoffDelayMs(attempt, error, options, options.random);
      if (now() + delayMs - startedAt > maxElapsedMs) throw withAttempts(error, attempt);
      options.logger?.debug({ attempt, delayMs, code: error.code }, 'retrying after a retryable failure');
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, options.signal);
    }
  }
}

function withAttempts(error: TroupeError, attempts: number): TroupeError {
  if (attempts === 1) return error;
  return new TroupeError(error.code, error.message, { cause: error, retryable: error.retryable, details: { ...error.details, attempts } });
}
