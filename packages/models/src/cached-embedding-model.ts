import { createHash } from 'node:crypto';
import type { EmbeddingModel } from './language-model.js';

export interface CachedEmbeddingModelOptions {
  /** Distinct texts whose vectors are kept (least recently used are dropped first). Default 10,000. */
  maxEntries?: number;
  /** Most texts sent to the inner model in one call. Default 64. */
  maxBatchSize?: number;
}

/** An embedding model that batches concurrent calls and remembers vectors by content hash. */
export interface CachedEmbeddingModel extends EmbeddingModel {
  /** Embeds one text, joining whatever other texts are asked for in the same tick into one batch. */
  embed(text: string, options?: { signal?: AbortSignal }): Promise<number[]>;
  readonly stats: { hits: number; misses: number; batches: number };
}

interface Waiter {
  text: string;
  hash: string;
  resolve: (vector: number[]) => void;
  reject: (error: unknown) => void;
}

/** sha256 of the exact text: the same bytes always have the same vector, so the vector can be reused. */
export function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Wraps any `EmbeddingModel` with a content-hash LRU cache and micro-batching: calls made in the
 * same tick are coalesced into one `doEmbed` (embedding models are far cheaper per text in a batch),
 * and a text already embedded is never embedded again.
 *
 * @example
 * const embedder = createCachedEmbeddingModel(await createUseEmbeddingModel());
 * const [a, b] = await Promise.all([embedder.embed('reset my password'), embedder.embed('change my password')]);
 */
export function createCachedEmbeddingModel(inner: EmbeddingModel, options: CachedEmbeddingModelOptions = {}): CachedEmbeddingModel {
  const maxEntries = options.maxEntries ?? 10_000;
  const maxBatchSize = options.maxBatchSize ?? 64;
  const cache = new Map<string, number[]>();
  const inFlight = new Map<string, Promise<number[]>>();
  const stats = { hits: 0, misses: 0, batches: 0 };
  let queue: Waiter[] = [];
  let scheduled = false;

  const remember = (hash: string, vector: number[]) => {
    cache.delete(hash);
    cache.set(hash, vector);
    if (cache.size > maxEntries) cache.delete(cache.keys().next().value as string);
  };

  const flush = async () => {
    scheduled = false;
    const waiting = queue;
    queue = [];
    for (let start = 0; start < waiting.length; start += maxBatchSize) {
      const batch = waiting.slice(start, start + maxBatchSize);
      stats.batches += 1;
      try {
        const { embeddings } = await inner.doEmbed(batch.map((waiter) => waiter.text));
        batch.forEach((waiter, index) => {
          const vector = embeddings[index] as number[];
          remember(waiter.hash, vector);
          waiter.resolve(vector);
        });
      } catch (error) {
        for (const waiter of batch) waiter.reject(error);
      }
    }
  };

  const embed = (text: string): Promise<number[]> => {
    const hash = contentHash(text);
    const cached = cache.get(hash);
    if (cached) {
      stats.hits += 1;
      remember(hash, cached);
      return Promise.resolve(cached);
    }
    const pending = inFlight.get(hash);
    if (pending) {
      stats.hits += 1;
      return pending;
    }
    stats.misses += 1;
    const promise = new Promise<number[]>((resolve, reject) => {
      queue.push({ text, hash, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        queueMicrotask(() => void flush());
      }
    });
    inFlight.set(hash, promise);
    const forget = () => inFlight.delete(hash);
    promise.then(forget, forget);
    return promise;
  };

  return {
    specificationVersion: 'troupe.v1',
    provider: inner.provider,
    modelId: inner.modelId,
    dimensions: inner.dimensions,
    stats,
    embed(text, callOptions) {
      callOptions?.signal?.throwIfAborted();
      return embed(text);
    },
    async doEmbed(texts, callOptions) {
      callOptions?.signal?.throwIfAborted();
      const embeddings = await Promise.all(texts.map((text) => embed(text)));
      // Usage counts what the caller asked for, not what the cache saved: callers price requests, not hits.
      return { embeddings, usage: { inputTokens: texts.reduce((sum, text) => sum + Math.ceil(text.length / 4), 0) } };
    },
  };
}
