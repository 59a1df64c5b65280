import type { EmbeddingModel } from '@troupe/models';
import { silentLogger, type Logger } from '@troupe/models';
import type { ContextBucket } from './kv-bucket.js';
import { CacheEntry, entryKey, partitionKey, type CachePartition } from './cache-entry.js';
import { guardNearMiss, shapeOf, type QuestionShape } from './near-miss-guard.js';
import { createVectorIndex, type VectorIndex } from './vector-index.js';
import { decodeVector, encodeVector } from './vector-math.js';

/** A served answer: how it was found, how close, and what it saved. */
export interface CacheHit {
  cache: 'exact' | 'semantic';
  similarity: number;
  /** The question the answer was stored for. */
  question: string;
  output: unknown;
  text?: string;
  model: string;
  savedCostUsd: number;
  key: string;
}

/** A lookup's outcome with its timings; `refused` lists near-misses the guard turned away. */
export interface CacheLookup {
  hit?: CacheHit;
  refused: { question: string; similarity: number; reason: string }[];
  embeddingMs: number;
  lookupMs: number;
}

/** The answer to remember, with what it cost to produce. */
export interface CacheAnswer {
  output: unknown;
  text?: string;
  model: string;
  costUsd: number;
}

export interface SemanticCacheOptions {
  /** Shared entries (the cluster's source of truth); a `createMemoryBucket()` for one process. */
  entries: ContextBucket<CacheEntry>;
  /** Staged answers waiting for the judge; only a pass promotes one into `entries`. */
  pending?: ContextBucket<CacheEntry & { key: string }>;
  embedder: EmbeddingModel & { embed?: (text: string) => Promise<number[]> };
  /** Cosine threshold per skill; `defaultThreshold` (0.65) for the rest. The guard, not this number, stops near-misses. */
  thresholds?: Record<string, number>;
  defaultThreshold?: number;
  /** Threshold for rewordings (few shared content words), which the token guard cannot vouch for. Default 0.9. */
  rewordThreshold?: number;
  /** How long an entry serves. Default 24 h. */
  ttlMs?: number;
  /** Candidates read from the index per lookup. Default 8. */
  candidates?: number;
  logger?: Logger;
}

/** The semantic cache: exact hash first, then nearest neighbours behind the near-miss guard. */
export interface SemanticCache {
  lookup(partition: CachePartition, question: string): Promise<CacheLookup>;
  /** Stores an answer directly (the caller vouches it passed the judge). */
  store(partition: CachePartition, question: string, answer: CacheAnswer): Promise<string>;
  /** Stages an answer under `ref` until `promote(ref)` (the judge passed it) or it expires. */
  stage(ref: string, partition: CachePartition, question: string, answer: CacheAnswer): Promise<void>;
  /** Moves a staged answer into the cache; false when nothing was staged under `ref`. */
  promote(ref: string): Promise<boolean>;
  /** Drops entries by tenant, tenant + skill, or one key; returns how many. */
  invalidate(scope: { tenant: string; skill?: string } | { key: string }): Promise<number>;
  /** Entries this node mirrors. */
  readonly size: number;
  threshold(skill: string): number;
  dispose(): void;
}

interface Local {
  entry: CacheEntry;
  shape: QuestionShape;
}

/**
 * Creates a semantic cache mirrored from `entries`: every node keeps a vector index per partition in
 * step by watching the bucket, so an answer stored on one machine is served on another.
 *
 * @example
 * const cache = await createSemanticCache({ entries: await openContextBucket(nc, 'troupe_cache', CacheEntry), embedder });
 * const { hit } = await cache.lookup({ tenant: 'acme', skill: 'faq', modelTier: 'local' }, 'How do I reset my password?');
 */
export async function createSemanticCache(options: SemanticCacheOptions): Promise<SemanticCache> {
  const logger = (options.logger ?? silentLogger).child({ component: 'semantic-cache' });
  const ttlMs = options.ttlMs ?? 86_400_000;
  const rewordThreshold = options.rewordThreshold ?? 0.9;
  const candidates = options.candidates ?? 8;
  const local = new Map<string, Local>();
  const indexes = new Map<string, VectorIndex>();
  const partitionOf = (key: string) => key.slice(0, key.lastIndexOf('.'));
  const threshold = (skill: string) => options.thresholds?.[skill] ?? options.defaultThreshold ?? 0.65;
  const embed = async (text: string) => (options.embedder.embed ? options.embedder.embed(text) : ((await options.embedder.doEmbed([text])).embeddings[0] as number[]));

  const apply = (key: string, entry: CacheEntry | undefined) => {
    const partition = partitionOf(key);
    if (!entry) {
      local.delete(key);
      indexes.get(partition)?.remove(key);
      return;
    }
    local.set(key, { entry, shape: shapeOf(entry.question) });
    let index = indexes.get(partition);
    if (!index) indexes.set(partition, (index = createVectorIndex({ dimensions: options.embedder.dimensions })));
    index.upsert(key, decodeVector(entry.vector));
  };
  const mirror = await options.entries.mirror(apply);

  const hitOf = (key: string, entry: CacheEntry, cache: CacheHit['cache'], similarity: number): CacheHit => ({
    cache,
    similarity,
    question: entry.question,
    output: entry.output,
    ...(entry.text !== undefined ? { text: entry.text } : {}),
    model: entry.model,
    savedCostUsd: entry.costUsd,
    key,
  });

  const build = async (partition: CachePartition, question: string, answer: CacheAnswer): Promise<{ key: string; entry: CacheEntry }> => {
    const now = Date.now();
    const entry: CacheEntry = {
      tenant: partition.tenant,
      skill: partition.skill,
      partition: partitionKey(partition),
      question,
      vector: encodeVector(await embed(question)),
      output: answer.output,
      ...(answer.text !== undefined ? { text: answer.text } : {}),
      model: answer.model,
      costUsd: answer.costUsd,
      createdAt: now,
      expiresAt: now + ttlMs,
    };
    return { key: entryKey(partition, question), entry };
  };

  const write = async (key: string, entry: CacheEntry) => {
    await options.entries.put(key, entry);
    // Serve our own write at once; the watch will deliver the same value again, harmlessly.
    apply(key, entry);
  };

  return {
    threshold,
    get size() {
      return local.size;
    },
    async lookup(partition, question) {
      const started = performance.now();
      const key = entryKey(partition, question);
      const refused: CacheLookup['refused'] = [];
      const exact = local.get(key)?.entry ?? (await options.entries.get(key));
      if (exact && exact.expiresAt > Date.now()) {
        return { hit: hitOf(key, exact, 'exact', 1), refused, embeddingMs: 0, lookupMs: performance.now() - started };
      }
      const index = indexes.get(partitionKey(partition));
      if (!index || index.size === 0) return { refused, embeddingMs: 0, lookupMs: performance.now() - started };
      const embedStarted = performance.now();
      const vector = await embed(question);
      const embeddingMs = performance.now() - embedStarted;
      const shape = shapeOf(question);
      const minimum = threshold(partition.skill);
      for (const match of index.search(vector, candidates)) {
        if (match.similarity < minimum) break;
        const candidate = local.get(match.id);
        if (!candidate || candidate.entry.expiresAt <= Date.now()) continue;
        const decision = guardNearMiss(shape, candidate.shape);
        if (!decision.ok) {
          refused.push({ question: candidate.entry.question, similarity: match.similarity, reason: decision.reason });
          continue;
        }
        if (decision.rewording && match.similarity < rewordThreshold) {
          refused.push({ question: candidate.entry.question, similarity: match.similarity, reason: 'rewording below threshold' });
          continue;
        }
        return { hit: hitOf(match.id, candidate.entry, 'semantic', match.similarity), refused, embeddingMs, lookupMs: performance.now() - started };
      }
      if (refused.length > 0) logger.debug({ refused: refused.length, skill: partition.skill }, 'near-misses refused');
      return { refused, embeddingMs, lookupMs: performance.now() - started };
    },
    async store(partition, question, answer) {
      const { key, entry } = await build(partition, question, answer);
      await write(key, entry);
      return key;
    },
    async stage(ref, partition, question, answer) {
      if (!options.pending) return;
      const { key, entry } = await build(partition, question, answer);
      await options.pending.put(ref, { ...entry, key });
    },
    async promote(ref) {
      if (!options.pending) return false;
      const staged = await options.pending.get(ref);
      if (!staged) return false;
      const { key, ...entry } = staged;
      await write(key, entry);
      await options.pending.delete(ref);
      return true;
    },
    async invalidate(scope) {
      const keys = 'key' in scope ? [scope.key] : await options.entries.keys(scope.skill ? `${scope.tenant}.${scope.skill}` : scope.tenant);
      for (const key of keys) {
        await options.entries.delete(key);
        apply(key, undefined);
      }
      return keys.length;
    },
    dispose() {
      mirror.stop();
    },
  };
}
