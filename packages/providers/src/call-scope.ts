import { ErrorCode, TroupeError } from '@troupe/protocol';
import type { GenerationMetrics } from '@troupe/models';

/**
 * One provider call's cancellation: the caller's signal and the per-call deadline merged into
 * one signal for the SDK, remembering which of the two fired so the error can say TIMEOUT or
 * CANCELLED instead of a bare abort.
 */
export interface CallScope {
  readonly signal: AbortSignal;
  readonly startedAt: number;
  readonly timeoutMs: number | undefined;
  timedOut(): boolean;
  cancelled(): boolean;
  /** Aborts the HTTP request, e.g. when a stream's consumer stops reading early. */
  abort(): void;
  /** Clears the deadline timer and the listener on the caller's signal; idempotent. */
  close(): void;
  metrics(outputTokens: number, firstTokenAt?: number): GenerationMetrics;
}

export function openCallScope(callerSignal: AbortSignal | undefined, timeoutMs: number | undefined): CallScope {
  if (callerSignal?.aborted) throw new TroupeError(ErrorCode.CANCELLED, 'the call was cancelled before it started', { cause: callerSignal.reason });
  const controller = new AbortController();
  const startedAt = performance.now();
  let timedOut = false;
  let cancelled = false;
  const onCallerAbort = () => {
    cancelled = true;
    controller.abort(callerSignal?.reason);
  };
  callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          controller.abort(new TroupeError(ErrorCode.TIMEOUT, `no answer within ${timeoutMs} ms`));
        }, timeoutMs);
  return {
    signal: controller.signal,
    startedAt,
    timeoutMs,
    timedOut: () => timedOut,
    cancelled: () => cancelled,
    abort: () => controller.abort(),
    close() {
      if (timer !== undefined) clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    },
    metrics(outputTokens, firstTokenAt) {
      const now = performance.now();
      const generationMs = now - (firstTokenAt ?? startedAt);
      return {
        latencyMs: now - startedAt,
        queueWaitMs: 0,
        ...(firstTokenAt === undefined ? {} : { timeToFirstTokenMs: firstTokenAt - startedAt }),
        ...(outputTokens > 0 && generationMs > 0 ? { tokensPerSecond: (outputTokens * 1000) / generationMs } : {}),
      };
    },
  };
}
