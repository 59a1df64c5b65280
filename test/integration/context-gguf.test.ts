import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContextStore, createMemoryBucket, createSemanticCache, type CacheEntry, type ContextChunk, type ContextStore } from '@troupe/context';
import { createLlamaEmbeddingModel, getSharedLlamaRuntime, type LlamaEmbeddingModel } from '@troupe/llama';
import { createCachedEmbeddingModel, type CachedEmbeddingModel } from '@troupe/models';
import { modelsDirectory, repoRoot } from './paths.js';

describe('the context layer on the production embedding contract: all-MiniLM-L6-v2 GGUF through node-llama-cpp', () => {
  let gguf: LlamaEmbeddingModel;
  let embedder: CachedEmbeddingModel;
  let store: ContextStore;

  beforeAll(async () => {
    gguf = await createLlamaEmbeddingModel({ id: 'all-minilm-l6-v2', provider: 'llama-cpp', path: 'all-MiniLM-L6-v2-F16.gguf', contextSize: 512, threads: 1, capabilities: ['embedding'] }, { modelsDirectory: modelsDirectory() });
    embedder = createCachedEmbeddingModel(gguf);
    store = await createContextStore({ chunks: createMemoryBucket<ContextChunk>(), embedder });
    await store.ingest('policies', 'refund-policy.md', readFileSync(`${repoRoot}test/fixtures/context/refund-policy.md`, 'utf8'));
  });

  afterAll(async () => {
    store?.dispose();
    await gguf?.dispose();
    await getSharedLlamaRuntime().dispose();
  });

  it('retrieves the right policy chunk with 384-dimensional GGUF vectors, embedding each chunk once', async () => {
    expect(embedder.dimensions).toBe(384);
    const [top] = await store.retrieve({ collection: 'policies', query: 'My parcel came broken, what now?', k: 1 });
    expect(top?.metadata.section).toBe('Refund policy > Damaged items');
    const misses = embedder.stats.misses;
    await store.retrieve({ collection: 'policies', query: 'My parcel came broken, what now?', k: 1 });
    expect(embedder.stats.misses).toBe(misses);
  });

  it('serves a paraphrase from the semantic cache and still refuses the near-miss', async () => {
    const cache = await createSemanticCache({ entries: createMemoryBucket<CacheEntry>(), embedder });
    const partition = { tenant: 'acme', skill: 'faq', modelTier: 'local' };
    await cache.store(partition, 'How do I reset my password?', { output: 'reset link', model: 'm', costUsd: 0.001 });
    expect((await cache.lookup(partition, 'How can I reset my password?')).hit?.cache).toBe('semantic');
    expect((await cache.lookup(partition, 'How do I reset my router?')).hit).toBeUndefined();
    cache.dispose();
  });
});
