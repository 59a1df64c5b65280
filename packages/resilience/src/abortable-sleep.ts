import { ErrorCode, TroupeError } from '@troupe/protocol';

/** Waits `ms`, or rejects with CANCELLED as soon as `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const cancelled = () => new TroupeError(ErrorCode.CANCELLED, 'cancelled while waiting to retry', { cause: signal?.reason });
    if (signal?.aborted) return reject(cancelled());
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
