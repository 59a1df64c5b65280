import type { NatsConnection } from '@nats-io/nats-core';
import type { EmbeddingModel, Logger } from '@troupe/models';
import { SharedBucketNames } from '@troupe/protocol';
import { CacheEntry } from './cache-entry.js';
import { ContextChunk } from './context-chunk.js';
import { createContextStore, type ContextStore } from './context-store.js';
import { openContextBucket } from './kv-bucket.js';
import { createSemanticCache, type SemanticCache, type SemanticCacheOptions } from './semantic-cache.js';

/** The JetStream KV buckets the context layer keeps its shared state in. */
export const ContextBuckets = {
  /** Ingested chunks, key `<collection>.<chunk hash>`. */
  chunks: SharedBucketNames.contextChunks,
  /** Judge-passed cache entries, key `<tenant>.<skill>.<partition hash>.<question hash>`. */
  cache: SharedBucketNames.cache,
  /** Answers waiting for their verdict, key `<tenant>.<task>.<node>.<attempt>`; they expire on their own. */
  pending: SharedBucketNames.cachePending,
} as const;

/** A staged answer: the entry plus the key it will have once promoted. */
export const PendingCacheEntry = CacheEntry.extend({ key: CacheEntry.shape.question });

export interface ContextLayerOptions extends Pick<SemanticCacheOptions, 'thresholds' | 'defaultThreshold' | 'rewordThreshold' | 'ttlMs'> {
  connection: NatsConnection;
  embedder: EmbeddingModel;
  logger?: Logger;
  /** How long a staged answer waits for the judge. Default 10 min. */
  pendingTtlMs?: number;
}

/** A node's view of the cluster's context layer: the semantic cache and the collections. */
export interface ContextLayer {
  cache: SemanticCache;
  store: ContextStore;
  dispose(): void;
}

/**
 * Opens the semantic cache and the context store over the cluster's KV buckets, each mirrored into
 * this process's vector indexes.
 *
 * @example
 * const layer = await openContextLayer({ connection, embedder: await createUseEmbeddingModel() });
 * await createTroupe({ connection, context: layer, ... });
 */
export async function openContextLayer(options: ContextLayerOptions): Promise<ContextLayer> {
  const { connection, embedder } = options;
  const [chunks, entries, pending] = await Promise.all([
    openContextBucket(connection, ContextBuckets.chunks, ContextChunk),
    openContextBucket(connection, ContextBuckets.cache, CacheEntry, options.ttlMs ? { ttlMs: options.ttlMs } : {}),
    openContextBucket(connection, ContextBuckets.pending, PendingCacheEntry, { ttlMs: options.pendingTtlMs ?? 600_000 }),
  ]);
  const store = await createContextStore({ chunks, embedder });
  const cache = await createSemanticCache({
    entries,
    pending,
    embedder,
    ...(options.thresholds ? { thresholds: options.thresholds } : {}),
    ...(options.defaultThreshold !== undefined ? { defaultThreshold: options.defaultThreshold } : {}),
    ...(options.rewordThreshold !== undefined ? { rewordThreshold: options.rewordThreshold } : {}),
    ...(options.ttlMs !== undefined ? { ttlMs: options.ttlMs } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return {
    cache,
    store,
    dispose() {
      cache.dispose();
      store.dispose();
    },
  };
}

/**
 * Promotes staged answers into the cache without mirroring it (no embedder, no index): what a
 * planner needs to act on the judge's verdicts.
 */
export async function createCachePromoter(options: { connection: NatsConnection; pendingTtlMs?: number }): Promise<{ promote(ref: string): Promise<boolean> }> {
  const [entries, pending] = await Promise.all([
    openContextBucket(options.connection, ContextBuckets.cache, CacheEntry),
    openContextBucket(options.connection, ContextBuckets.pending, PendingCacheEntry, { ttlMs: options.pendingTtlMs ?? 600_000 }),
  ]);
  return {
    async promote(ref) {
      const staged = await pending.get(ref);
      if (!staged) return false;
      const { key, ...entry } = staged;
      await entries.put(key, entry);
      await pending.delete(ref);
      return true;
    },
  };
}
