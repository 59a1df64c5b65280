import { ErrorCode, TroupeError } from '@troupe/protocol';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, withRetry } from './with-retry.js';

const flaky = (code: ErrorCode, details?: Record<string, unknown>) => new TroupeError(code, `failed with ${code}`, details ? { details } : {});

/** An operation that fails with `errors` in turn, then returns 'ok'; counts its calls. */
function scripted(errors: TroupeError[]) {
  let calls = 0;
  const operation = async () => {
    const error = errors[calls];
    calls += 1;
    if (error) throw error;
    return 'ok';
  };
  return { operation, calls: () => calls };
}

/** Records requested waits without waiting; advances a fake clock. */
function fakeTime() {
  let now = 0;
  const waits: number[] = [];
  return { waits, now: () => now, sleep: async (ms: number) => void (waits.push(ms), (now += ms)) };
}

describe('withRetry', () => {
  it('retries retryable failures with full-jitter exponential backoff', async () => {
    const time = fakeTime();
    const { operation, calls } = scripted([flaky(ErrorCode.PROVIDER_ERROR), flaky(ErrorCode.TIMEOUT), flaky(ErrorCode.PROVIDER_ERROR)]);
    const result = await withRetry(operation, { maxAttempts: 4, initialDelayMs: 100, maxDelayMs: 300, random: () => 0.999, ...time });
    expect(result).toBe('ok');
    expect(calls()).toBe(4);
    // Caps 100, 200, 400→300 (maxDelay); random just under 1 gives the cap minus one.
    expect(time.waits).toEqual([99, 199, 299]);
  });

  it('draws each wait uniformly below the cap', () => {
    const error = flaky(ErrorCode.PROVIDER_ERROR);
    expect(backoffDelayMs(3, error, { initialDelayMs: 100 }, () => 0)).toBe(0);
    expect(backoffDelayMs(3, error, { initialDelayMs: 100 }, () => 0.5)).toBe(200);
  });

  it('waits at least the retryAfterMs the server asked for', async () => {
    const time = fakeTime();
    const { operation } = scripted([flaky(ErrorCode.RATE_LIMITED, { retryAfterMs: 1_500 })]);
    await withRetry(operation, { random: () => 0.5, ...time });
    expect(time.waits).toEqual([1_500]);
  });

  it('stops at maxAttempts and reports how many it made', async () => {
    const time = fakeTime();
    const { operation, calls } = scripted(Array.from({ length: 5 }, () => flaky(ErrorCode.PROVIDER_ERROR)));
    const error = (await withRetry(operation, { maxAttempts: 3, ...time }).catch((thrown) => thrown)) as TroupeError;
    expect(calls()).toBe(3);
    expect(error.code).toBe(ErrorCode.PROVIDER_ERROR);
    expect(error.details?.attempts).toBe(3);
  });

  it('never retries non-retryable errors or an open circuit', async () => {
    for (const code of [ErrorCode.AUTH_FAILED, ErrorCode.CONTEXT_OVERFLOW, ErrorCode.CIRCUIT_OPEN]) {
      const { operation, calls } = scripted([flaky(code)]);
      const error = (await withRetry(operation, fakeTime()).catch((thrown) => thrown)) as TroupeError;
      expect([error.code, calls()]).toEqual([code, 1]);
    }
  });

  it('gives up rather than wait past maxElapsedMs', async () => {
    const time = fakeTime();
    const { operation, calls } = scripted([flaky(ErrorCode.RATE_LIMITED, { retryAfterMs: 60_000 })]);
    const error = (await withRetry(operation, { maxElapsedMs: 10_000, ...time }).catch((thrown) => thrown)) as TroupeError;
    expect(error.code).toBe(ErrorCode.RATE_LIMITED);
    expect(calls()).toBe(1);
    expect(time.waits).toEqual([]);
  });

  it('stops waiting as soon as the caller aborts', async () => {
    const controller = new AbortController();
    const { operation, calls } = scripted([flaky(ErrorCode.RATE_LIMITED, { retryAfterMs: 10_000 })]);
    setTimeout(() => controller.abort(), 30);
    const started = performance.now();
    const error = (await withRetry(operation, { signal: controller.signal }).catch((thrown) => thrown)) as TroupeError;
    expect(error.code).toBe(ErrorCode.CANCELLED);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(calls()).toBe(1);
  });

  it('normalises unknown throws and does not retry them blindly as INTERNAL forever', async () => {
    const time = fakeTime();
    let calls = 0;
    const error = (await withRetry(
      async () => {
        calls += 1;
        throw new Error('boom');
      },
      { maxAttempts: 2, ...time },
    ).catch((thrown) => thrown)) as TroupeError;
    expect(error).toBeInstanceOf(TroupeError);
    expect(calls).toBe(2);
  });
});
