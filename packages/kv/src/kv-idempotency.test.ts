import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { startNatsServer, type NatsServer } from '@troupe/testing';
import { z } from 'zod';
import { createKvIdempotency } from './kv-idempotency.js';
import { openKvBucket } from './kv-bucket.js';
import { encodeKvKey } from './kv-key.js';

describe('idempotency keys in NATS KV', () => {
  let server: NatsServer;
  let connection: NatsConnection;

  beforeAll(async () => {
    server = await startNatsServer();
    connection = await connect({ servers: server.url });
  });

  afterAll(async () => {
    await connection?.drain();
    await server?.stop();
  });

  it('runs concurrent callers of one key once, across two stores, and replays the reply later', async () => {
    const [a, b] = await Promise.all([createKvIdempotency({ connection }), createKvIdempotency({ connection })]);
    let runs = 0;
    const work = async () => {
      runs += 1;
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { answer: runs };
    };
    const replies = await Promise.all([a.run('k1', work), b.run('k1', work), a.run('k1', work), b.run('k1', work)]);
    expect(runs).toBe(1);
    expect(replies).toEqual(Array.from({ length: 4 }, () => ({ answer: 1 })));
    expect(await b.run('k1', work)).toEqual({ answer: 1 });
    expect(runs).toBe(1);
  });

  it('forgets a failure, so a retry really retries', async () => {
    const store = await createKvIdempotency({ connection });
    await expect(store.run('k2', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await store.run('k2', async () => 'second try')).toBe('second try');
  });

  it("waits on a live replica's claim, which it keeps renewing, instead of running the work too", async () => {
    const dying = await createKvIdempotency({ connection, leaseMs: 300 });
    void dying.run('k3', () => new Promise(() => undefined)).catch(() => undefined); // never finishes, keeps renewing
    await new Promise((resolve) => setTimeout(resolve, 100));
    const waiter = await createKvIdempotency({ connection, leaseMs: 300 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 600);
    // The claim is renewed, so the other store waits (and gives up at its deadline) instead of running it.
    await expect(waiter.run('k3', async () => 'ran twice', controller.signal)).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('takes over the claim of a replica that died holding it, once its lease ran out', async () => {
    const raw = await openKvBucket({ connection, bucket: 'troupe_idempotency', schema: z.unknown() });
    await raw.put(encodeKvKey('k4'), { state: 'running', owner: 'dead-replica', leaseUntil: Date.now() - 1 });
    const store = await createKvIdempotency({ connection });
    expect(await store.run('k4', async () => 'taken over')).toBe('taken over');
  });
});
