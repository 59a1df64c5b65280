import { ErrorCode, TroupeError } from '@troupe/protocol';
import { describe, expect, it } from 'vitest';
import type { BreakerStore } from './breaker-store.js';
import { createCircuitBreakers, type CircuitBreakerOptions } from './circuit-breakers.js';
import { createMemoryBreakerStore } from './memory-breaker-store.js';

const serverError = new TroupeError(ErrorCode.PROVIDER_ERROR, 'HTTP 500');
const KEY = 'openai.gpt-4o-mini';

function setup(options: CircuitBreakerOptions = {}) {
  let now = 1_000_000;
  const clock = { now: () => now, advance: (ms: number) => void (now += ms) };
  const store = createMemoryBreakerStore();
  const make = () => createCircuitBreakers(store, { failureThreshold: 3, windowMs: 10_000, cooldownMs: 5_000, now: clock.now, ...options });
  return { clock, store, breakers: make(), make };
}

async function fail(breakers: ReturnType<typeof createCircuitBreakers>, times: number, error: unknown = serverError) {
  for (let index = 0; index < times; index += 1) await breakers.recordFailure(await breakers.acquire(KEY), error);
}

async function refusal(promise: Promise<unknown>): Promise<TroupeError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(TroupeError);
  return error as TroupeError;
}

describe('circuit breakers', () => {
  it('opens after the threshold of failures and refuses with CIRCUIT_OPEN and the time left', async () => {
    const { breakers, clock } = setup();
    await fail(breakers, 2);
    expect((await breakers.snapshot(KEY)).phase).toBe('closed');
    await fail(breakers, 1);
    expect((await breakers.snapshot(KEY)).phase).toBe('open');
    clock.advance(1_000);
    const error = await refusal(breakers.acquire(KEY));
    expect(error.code).toBe(ErrorCode.CIRCUIT_OPEN);
    expect(error.retryable).toBe(true);
    expect(error.details).toMatchObject({ breakerKey: KEY, retryAfterMs: 4_000 });
  });

  it('counts only failures inside the window', async () => {
    const { breakers, clock } = setup();
    await fail(breakers, 2);
    clock.advance(10_001);
    await fail(breakers, 2);
    expect(await breakers.snapshot(KEY)).toMatchObject({ phase: 'closed', failures: 2 });
  });

  it('ignores failures that say nothing about the provider (auth, bad output, cancellation)', async () => {
    const { breakers } = setup();
    for (const code of [ErrorCode.AUTH_FAILED, ErrorCode.OUTPUT_INVALID, ErrorCode.CANCELLED, ErrorCode.CONTEXT_OVERFLOW]) {
      await fail(breakers, 3, new TroupeError(code, code));
    }
    expect(await breakers.snapshot(KEY)).toMatchObject({ phase: 'closed', failures: 0 });
  });

  it('lets exactly one probe through after the cooldown; its success closes the breaker', async () => {
    const { breakers, clock } = setup();
    await fail(breakers, 3);
    clock.advance(5_000);
    const probe = await breakers.acquire(KEY);
    expect(probe.probe).toBe(true);
    expect((await refusal(breakers.acquire(KEY))).code).toBe(ErrorCode.CIRCUIT_OPEN);
    await breakers.recordSuccess(probe);
    expect(await breakers.snapshot(KEY)).toMatchObject({ phase: 'closed', failures: 0 });
    expect((await breakers.acquire(KEY)).probe).toBe(false);
  });

  it('re-opens for another cooldown when the probe fails', async () => {
    const { breakers, clock } = setup();
    await fail(breakers, 3);
    clock.advance(5_000);
    await breakers.recordFailure(await breakers.acquire(KEY), serverError);
    expect(await breakers.snapshot(KEY)).toMatchObject({ phase: 'open', openedAt: clock.now() });
    clock.advance(4_999);
    expect((await refusal(breakers.acquire(KEY))).code).toBe(ErrorCode.CIRCUIT_OPEN);
  });

  it('frees the probe slot when the probe proves nothing, or never reports back', async () => {
    const { breakers, clock } = setup({ probeTimeoutMs: 2_000 });
    await fail(breakers, 3);
    clock.advance(5_000);
    await breakers.release(await breakers.acquire(KEY));
    const second = await breakers.acquire(KEY);
    expect(second.probe).toBe(true);
    // `second` never reports; after probeTimeoutMs another caller may probe.
    clock.advance(2_000);
    expect((await breakers.acquire(KEY)).probe).toBe(true);
  });

  it('shares state between replicas on one store and notifies their listeners', async () => {
    const { breakers, make } = setup();
    const replica = make();
    const seen: string[] = [];
    replica.onChange((key, phase) => seen.push(`${key}:${phase}`));
    await fail(breakers, 3);
    expect(seen).toEqual([`${KEY}:open`]);
    expect((await refusal(replica.acquire(KEY))).code).toBe(ErrorCode.CIRCUIT_OPEN);
  });

  it('never loses a failure when replicas write concurrently (revision CAS)', async () => {
    const { make } = setup({ failureThreshold: 100 });
    const replicas = [make(), make(), make()];
    await Promise.all(replicas.flatMap((replica) => Array.from({ length: 10 }, async () => replica.recordFailure(await replica.acquire(KEY), serverError))));
    expect((await replicas[0]!.snapshot(KEY)).failures).toBe(30);
  });

  it('reads the store once for a healthy model, then serves acquire from its cache', async () => {
    const store = createMemoryBreakerStore();
    let reads = 0;
    const counting: BreakerStore = { ...store, get: (key) => ((reads += 1), store.get(key)) };
    const breakers = createCircuitBreakers(counting);
    for (let index = 0; index < 100; index += 1) await breakers.recordSuccess(await breakers.acquire(KEY));
    expect(reads).toBe(1);
  });

  it('fails open when its store is unreachable', async () => {
    const broken: BreakerStore = {
      get: () => Promise.reject(new Error('no responders')),
      compareAndSet: () => Promise.reject(new Error('no responders')),
      watch: () => () => undefined,
      dispose: async () => undefined,
    };
    const breakers = createCircuitBreakers(broken);
    const permit = await breakers.acquire(KEY);
    expect(permit.probe).toBe(false);
    await expect(breakers.recordFailure(permit, serverError)).resolves.toBeUndefined();
  });
});
