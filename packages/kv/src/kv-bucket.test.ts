import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import { startNatsServer, type NatsServer } from '@troupe/testing';
import { z } from 'zod';
import { openKvBucket, type KvBucket } from './kv-bucket.js';
import { decodeKvKey, encodeKvKey, kvKey } from './kv-key.js';

const Counter = z.object({ count: z.number().int() });
type Counter = z.infer<typeof Counter>;

describe('typed KV bucket over a real nats-server', () => {
  let server: NatsServer;
  let connection: NatsConnection;
  let bucket: KvBucket<Counter>;

  beforeAll(async () => {
    server = await startNatsServer();
    connection = await connect({ servers: server.url });
    bucket = await openKvBucket({ connection, bucket: 'kv_test', schema: Counter, storage: 'memory' });
  });

  afterAll(async () => {
    await connection?.drain();
    await server?.stop();
  });

  it('creates at revision 0, updates at the read revision, and reports a lost race as a conflict', async () => {
    const created = await bucket.write('a', { count: 1 }, 0);
    expect(created.ok).toBe(true);
    expect(await bucket.write('a', { count: 9 }, 0)).toEqual({ ok: false, conflict: true });
    const current = await bucket.get('a');
    expect(current?.value).toEqual({ count: 1 });
    const updated = await bucket.write('a', { count: 2 }, current?.revision ?? -1);
    expect(updated.ok).toBe(true);
    expect(await bucket.write('a', { count: 3 }, current?.revision ?? -1)).toEqual({ ok: false, conflict: true });
    expect((await bucket.get('a'))?.value).toEqual({ count: 2 });
  });

  it('mutate counts every one of many concurrent increments exactly once', async () => {
    const other = await connect({ servers: server.url });
    try {
      const second = await openKvBucket({ connection: other, bucket: 'kv_test', schema: Counter, storage: 'memory' });
      const increment = (b: KvBucket<Counter>) => b.mutate('shared', (current) => ({ count: (current?.count ?? 0) + 1 }));
      await Promise.all(Array.from({ length: 40 }, (_, index) => increment(index % 2 ? bucket : second)));
      expect((await bucket.get('shared'))?.value.count).toBe(40);
    } finally {
      await other.drain();
    }
  });

  it('rejects a stored value that does not match the schema with a typed error instead of casting it', async () => {
    const loose = await openKvBucket({ connection, bucket: 'kv_test', schema: z.unknown(), storage: 'memory' });
    await loose.put('bad', { count: 'many' });
    const error = await bucket.get('bad').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TroupeError);
    expect((error as TroupeError).code).toBe(ErrorCode.INTERNAL);
    await bucket.delete('bad');
    expect(await bucket.get('bad')).toBeUndefined();
  });

  it('watches changes and reads every latest value under a prefix', async () => {
    const seen: Array<[string, number | undefined]> = [];
    const watch = await bucket.watch((key, value) => seen.push([key, value?.value.count]), { key: 'w.>', updatesOnly: true });
    await bucket.put(kvKey('w', 'x.y'), { count: 7 });
    await bucket.put(kvKey('w', 'z'), { count: 8 });
    await bucket.delete(kvKey('w', 'z'));
    await expect.poll(() => seen.length).toBe(3);
    watch.stop();
    expect(seen).toEqual([
      ['w.x=2Ey', 7],
      ['w.z', 8],
      ['w.z', undefined],
    ]);
    const all = await bucket.readAll({ prefix: 'w', timeoutMs: 5_000 });
    expect(all.map((entry) => [decodeKvKey(entry.key.slice(2)), entry.value.count])).toEqual([['x.y', 7]]);
  });

  it('escapes any string into one key token and back', () => {
    for (const raw of ['gpt-4.1', 'a b/c', 'ünï=code', '']) {
      expect(encodeKvKey(raw)).toMatch(/^[A-Za-z0-9_=-]*$/);
      expect(decodeKvKey(encodeKvKey(raw))).toBe(raw);
    }
    expect(kvKey('task', 'abc')).toBe('task.abc');
  });
});
