import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import { startNatsServer, type NatsServer } from '@troupe/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCircuitBreakers, type CircuitBreakerOptions, type CircuitBreakers } from './circuit-breakers.js';
import { createKvBreakerStore } from './kv-breaker-store.js';

const serverError = new TroupeError(ErrorCode.PROVIDER_ERROR, 'HTTP 500');
const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

async function replica(connection: NatsConnection, bucket: string, options: CircuitBreakerOptions = {}) {
  const store = await createKvBreakerStore({ connection, bucket });
  return { store, breakers: createCircuitBreakers(store, { failureThreshold: 3, cooldownMs: 60_000, ...options }) };
}

function phaseReached(breakers: CircuitBreakers, key: string, phase: string): Promise<number> {
  return new Promise((resolve) => {
    const stop = breakers.onChange((changed, now) => {
      if (changed === key && now === phase) {
        stop();
        resolve(performance.now());
      }
    });
  });
}

async function refusal(promise: Promise<unknown>): Promise<TroupeError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(TroupeError);
  return error as TroupeError;
}

describe('circuit breakers shared through NATS KV', () => {
  let server: NatsServer;
  let first: NatsConnection;
  let second: NatsConnection;
  beforeAll(async () => {
    server = await startNatsServer();
    first = await connect({ servers: server.url });
    second = await connect({ servers: server.url });
  });
  afterAll(async () => {
    await first.drain();
    await second.drain();
    await server.stop();
  });

  it("opens on one connection's failures and is seen open on the other through the watch", async () => {
    const a = await replica(first, 'breakers_watch');
    const b = await replica(second, 'breakers_watch');
    const key = 'anthropic.claude-sonnet-4-5';
    // B has looked once and cached "closed"; only the watch can tell it otherwise.
    expect((await b.breakers.acquire(key)).probe).toBe(false);
    const seen = phaseReached(b.breakers, key, 'open');
    const started = performance.now();
    for (let index = 0; index < 3; index += 1) await a.breakers.recordFailure(await a.breakers.acquire(key), serverError);
    expect((await seen) - started).toBeLessThan(2_000);
    expect((await refusal(b.breakers.acquire(key))).code).toBe(ErrorCode.CIRCUIT_OPEN);
    await Promise.all([a.breakers.dispose(), b.breakers.dispose(), a.store.dispose(), b.store.dispose()]);
  });

  it('loses no failure when both connections write at once (revision CAS)', async () => {
    const a = await replica(first, 'breakers_cas', { failureThreshold: 100 });
    const b = await replica(second, 'breakers_cas', { failureThreshold: 100 });
    const key = 'openai.gpt-4.1';
    await Promise.all(
      [a, b].flatMap(({ breakers }) => Array.from({ length: 15 }, async () => breakers.recordFailure(await breakers.acquire(key), serverError))),
    );
    const stored = await a.store.get(key);
    expect(stored?.state.failures).toHaveLength(30);
    await Promise.all([a.breakers.dispose(), b.breakers.dispose(), a.store.dispose(), b.store.dispose()]);
  });

  it('hands the half-open probe to exactly one caller across replicas', async () => {
    const options = { failureThreshold: 1, cooldownMs: 200 };
    const a = await replica(first, 'breakers_probe', options);
    const b = await replica(second, 'breakers_probe', options);
    const key = 'gemini.gemini-2.5-flash';
    await a.breakers.recordFailure(await a.breakers.acquire(key), serverError);
    await new Promise((resolve) => setTimeout(resolve, 250));
    const outcomes = await Promise.allSettled([a, b, a, b, a, b].map(({ breakers }) => breakers.acquire(key)));
    const probes = outcomes.filter((outcome) => outcome.status === 'fulfilled' && outcome.value.probe);
    expect(probes).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toHaveLength(5);
    await Promise.all([a.breakers.dispose(), b.breakers.dispose(), a.store.dispose(), b.store.dispose()]);
  });

  it('sees a breaker opened by another process', async () => {
    const local = await replica(first, 'breakers_process');
    const key = 'openai-compatible.llama-3.1-70b/groq:fast';
    expect((await local.breakers.acquire(key)).probe).toBe(false);
    const seen = phaseReached(local.breakers, key, 'open');
    const child = spawn(
      process.execPath,
      ['--conditions=@troupe/source', '--import', 'tsx', fileURLToPath(new URL('./__fixtures__/fail-breaker-child.ts', import.meta.url)), server.url, 'breakers_process', key, '3'],
      { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, output).toBe(0);
    expect(JSON.parse(output.trim().split('\n').at(-1)!)).toMatchObject({ phase: 'open' });
    await seen;
    expect((await refusal(local.breakers.acquire(key))).code).toBe(ErrorCode.CIRCUIT_OPEN);
    await Promise.all([local.breakers.dispose(), local.store.dispose()]);
  });
});
