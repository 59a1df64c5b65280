import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CacheEntry,
  ContextChunk,
  createContextStore,
  createSemanticCache,
  createUseEmbeddingModel,
  openContextBucket,
  PendingCacheEntry,
  type ContextStore,
  type SemanticCache,
} from '@troupe/context';
import type { EmbeddingModel } from '@troupe/models';
import { subjects } from '@troupe/protocol';
import { promoteFromVerdictFeed } from '@troupe/runtime';
import { encodeJson, silentLogger } from '@troupe/transport';
import { startNatsServer, type NatsServer } from '@troupe/testing';
import { repoRoot } from './paths.js';

const run = promisify(execFile);
const acme = { tenant: 'acme', skill: 'faq', modelTier: 'local' };

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('context layer over real NATS with the real USE model, across two processes', () => {
  let server: NatsServer;
  let connection: NatsConnection;
  let embedder: EmbeddingModel;
  let cache: SemanticCache;
  let store: ContextStore;
  let written: { key: string; ingested: { added: number } };

  beforeAll(async () => {
    server = await startNatsServer();
    connection = await connect({ servers: server.url });
    // One USE load for the whole file; the writer process loads its own.
    [embedder] = await Promise.all([
      createUseEmbeddingModel(),
      run(process.execPath, ['--conditions=@troupe/source', '--import', 'tsx', 'test/integration/context-writer.ts', server.url], { cwd: repoRoot }).then(({ stdout }) => {
        written = JSON.parse(stdout.trim().split('\n').at(-1) as string);
      }),
    ]);
    // This node starts after the writer finished: what it serves comes from the KV bucket alone.
    cache = await createSemanticCache({
      entries: await openContextBucket(connection, 'troupe_cache', CacheEntry),
      pending: await openContextBucket(connection, 'troupe_cache_pending', PendingCacheEntry, { ttlMs: 600_000 }),
      embedder,
    });
    store = await createContextStore({ chunks: await openContextBucket(connection, 'troupe_context', ContextChunk), embedder });
  });

  afterAll(async () => {
    cache?.dispose();
    store?.dispose();
    await connection?.drain();
    await server?.stop();
  });

  it('serves an answer written by the other process: exact, then a paraphrase through the vector index', async () => {
    const exact = await cache.lookup(acme, 'how do I reset my password');
    expect(exact.hit).toMatchObject({ cache: 'exact', similarity: 1, output: { reply: expect.stringContaining('Forgot password') }, savedCostUsd: 0.0004 });
    const paraphrase = await cache.lookup(acme, 'What are the steps to reset my password?');
    expect(paraphrase.hit?.cache).toBe('semantic');
    expect(paraphrase.hit?.similarity).toBeGreaterThan(0.7);
    expect(paraphrase.hit?.key).toBe(written.key);
  });

  it('refuses a near-miss that the embedding alone would have served', async () => {
    const nearMiss = await cache.lookup(acme, 'How do I reset my router?');
    expect(nearMiss.hit).toBeUndefined();
    expect(nearMiss.refused[0]?.reason).toBe('content');
  });

  it("never serves another tenant's entry, by exact key or by vector", async () => {
    const other = { ...acme, tenant: 'globex' };
    expect((await cache.lookup(other, 'How do I reset my password?')).hit).toBeUndefined();
    expect((await cache.lookup(other, 'What are the steps to reset my password?')).hit).toBeUndefined();
    // Another skill, schema or tier is another partition too.
    expect((await cache.lookup({ ...acme, skill: 'expert' }, 'How do I reset my password?')).hit).toBeUndefined();
    expect((await cache.lookup({ ...acme, modelTier: 'frontier' }, 'How do I reset my password?')).hit).toBeUndefined();
  });

  it('retrieves the ingested policy with hybrid search, and re-ingesting adds nothing', async () => {
    expect(written.ingested.added).toBeGreaterThan(3);
    const top = await store.retrieve({ collection: 'policies', query: 'My parcel came broken, what now?', k: 2 });
    expect(top[0]?.text).toContain('arrives damaged');
    expect(top[0]?.metadata.section).toBe('Refund policy > Damaged items');
    const again = await store.ingest('policies', 'refund-policy.md', (await import('node:fs')).readFileSync(`${repoRoot}test/fixtures/context/refund-policy.md`, 'utf8'));
    expect(again).toMatchObject({ added: 0, removed: 0 });
    expect(store.collections().find((collection) => collection.name === 'policies')?.chunks).toBe(again.chunks);
  });

  it('rejects empty collections and bad documents with typed errors', async () => {
    await expect(store.retrieve({ collection: 'nothing-here', query: 'refund' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(store.ingest('policies', 'slides.pptx', 'binary')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(store.ingest('policies', 'huge.txt', 'x'.repeat(3 * 1024 * 1024))).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('invalidates by tenant on one node and the other node stops serving', async () => {
    const second = await createSemanticCache({ entries: await openContextBucket(connection, 'troupe_cache', CacheEntry), embedder });
    try {
      await second.store({ ...acme, tenant: 'initech' }, 'Where is my order 1234?', { output: { reply: 'On its way.' }, model: 'm', costUsd: 0.001 });
      await eventually(async () => (await cache.lookup({ ...acme, tenant: 'initech' }, 'Where is my order 1234')).hit);
      expect(await second.invalidate({ tenant: 'initech' })).toBe(1);
      await eventually(async () => (cache.size === 1 ? true : undefined));
      expect((await cache.lookup({ ...acme, tenant: 'initech' }, "Where's my order 1234?")).hit).toBeUndefined();
    } finally {
      second.dispose();
    }
  });

  it('stores only answers the judge passed: a pass on the verdict feed promotes, a retry does not', async () => {
    const partition = { ...acme, tenant: 'hooli' };
    const answer = { output: { reply: 'Within 30 days.' }, model: 'gpt', costUsd: 0.002 };
    await cache.stage('hooli.task-1.expert.1', partition, 'How long is the refund window?', answer);
    await cache.stage('hooli.task-2.expert.1', partition, 'Can I exchange a worn shirt?', answer);
    const subscription = promoteFromVerdictFeed({ connection, cache, logger: silentLogger });
    try {
      expect((await cache.lookup(partition, 'How long is the refund window?')).hit).toBeUndefined();
      const verdict = (taskId: string, decision: string) => ({ taskId, nodeId: 'expert', attempt: 1, decision, reasons: [], checks: [], tenant: 'hooli', skill: 'faq' });
      connection.publish(subjects.verdictFeed, encodeJson(verdict('task-2', 'retry')));
      connection.publish(subjects.verdictFeed, encodeJson(verdict('task-1', 'pass')));
      const hit = await eventually(async () => (await cache.lookup(partition, 'How long is the refund window?')).hit);
      expect(hit.output).toEqual({ reply: 'Within 30 days.' });
      expect((await cache.lookup(partition, 'Can I exchange a worn shirt?')).hit).toBeUndefined();
    } finally {
      subscription.unsubscribe();
    }
  });
});
