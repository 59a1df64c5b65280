import type { EmbeddingModel, ModelConfig, ModelConfigInput } from '@troupe/models';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import { createCallSignal, toCallError } from './call-signal.js';
import { silentLogger, type Logger } from './logger.js';
import { parseLlamaModelConfig } from './model-config-input.js';
import { toModelLoadError } from './model-load-error.js';
import { getSharedModelStore, type ModelStore } from './model-store.js';
import { createSlotQueue, type Slot } from './slot-queue.js';

export interface LlamaEmbeddingModelOptions {
  /** Where the model file is loaded and shared; defaults to the process-wide store. */
  store?: ModelStore;
  modelsDirectory?: string;
  /** CPU threads when `config.threads` is unset; defaults to the runtime's. */
  threads?: number;
  logger?: Logger;
  onLoadProgress?: (progress: number) => void;
}

/** A local GGUF model behind the Troupe `EmbeddingModel` contract. */
export interface LlamaEmbeddingModel extends EmbeddingModel {
  readonly provider: 'llama-cpp';
  /** Tokens one text may have. */
  readonly contextSize: number;
  readonly disposed: boolean;
  /** Aborts running calls (DISPOSED), disposes the embedding context, then releases the model. Idempotent. */
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Loads a `llama-cpp` model and returns an embedding model on it. Unlike the language model this
 * factory is async: `dimensions` is part of the contract and only the loaded file knows it.
 * Texts are embedded one at a time on a single sequence; up to `maxQueue` calls wait their turn.
 *
 * @example
 * await using embedder = await createLlamaEmbeddingModel({ id: 'minilm', provider: 'llama-cpp', path: 'all-MiniLM-L6-v2-Q4_K_M.gguf' });
 * const { embeddings } = await embedder.doEmbed(['a cat', 'a kitten']);
 */
export async function createLlamaEmbeddingModel(
  config: ModelConfig | ModelConfigInput,
  options: LlamaEmbeddingModelOptions = {},
): Promise<LlamaEmbeddingModel> {
  const settings = parseLlamaModelConfig(config);
  const modelId = settings.id;
  const logger = (options.logger ?? silentLogger).child({ component: 'llama-embedding-model', modelId });
  const store = options.store ?? getSharedModelStore(options.logger ? { logger: options.logger } : {});
  const threads = settings.threads ?? options.threads ?? store.runtime.threads;
  const lease = await store.acquire(settings, {
    ...(options.modelsDirectory ? { modelsDirectory: options.modelsDirectory } : {}),
    ...(options.onLoadProgress ? { onProgress: options.onLoadProgress } : {}),
  });
  const { model } = lease;
  // Past its training window a model degrades, so the registry's size is a ceiling, not a request.
  const contextSize = Math.min(settings.contextSize, model.trainContextSize || settings.contextSize);
  const context = await model.createEmbeddingContext({ contextSize, threads }).catch(async (error: unknown) => {
    await lease.release();
    throw toModelLoadError(error, modelId, lease.path);
  });
  const slots = createSlotQueue({ concurrency: 1, maxQueue: settings.maxQueue, name: modelId });
  const shutdown = new AbortController();
  const running = new Set<Promise<unknown>>();
  let disposed = false;
  logger.info({ dimensions: model.embeddingVectorSize, contextSize, threads }, 'embedding model ready');

  const embed = async (texts: string[], signal?: AbortSignal) => {
    if (disposed) throw new TroupeError(ErrorCode.DISPOSED, `embedding model "${modelId}" has been disposed`);
    const callSignal = createCallSignal({ modelId, signal, timeoutMs: settings.timeoutMs, shutdown: shutdown.signal });
    let slot: Slot | undefined;
    try {
      // Measure every text first so an oversized one fails the call before any work is done.
      const tokenCounts = texts.map((text, index) => {
        // node-llama-cpp returns an empty vector for a text without tokens, which breaks `dimensions`.
        if (model.tokenize(text).length === 0) throw new TroupeError(ErrorCode.BAD_REQUEST, `text ${index} is empty; an empty text has no embedding`);
        // calculateInputLength counts what the context will evaluate, BOS/EOS/SEP included.
        const count = context.calculateInputLength(text);
        if (count >= contextSize) {
          throw new TroupeError(ErrorCode.CONTEXT_OVERFLOW, `text ${index} is ${count} tokens but "${modelId}" embeds at most ${contextSize - 1}`, {
            details: { index, inputTokens: count, contextSize },
          });
        }
        return count;
      });
      slot = await slots.acquire(callSignal.signal);
      const embeddings: number[][] = [];
      for (const text of texts) {
        callSignal.signal.throwIfAborted();
        const embedding = await context.getEmbeddingFor(text);
        embeddings.push(Array.from(embedding.vector));
      }
      return { embeddings, usage: { inputTokens: tokenCounts.reduce((sum, count) => sum + count, 0) } };
    } catch (error) {
      throw toCallError(error, callSignal.signal);
    } finally {
      slot?.release();
      callSignal.dispose();
    }
  };

  const embedder: LlamaEmbeddingModel = {
    specificationVersion: 'troupe.v1',
    provider: 'llama-cpp',
    modelId,
    dimensions: model.embeddingVectorSize,
    contextSize,
    get disposed() {
      return disposed;
    },
    doEmbed(texts, callOptions = {}) {
      const promise = embed(texts, callOptions.signal);
      running.add(promise);
      const forget = () => running.delete(promise);
      promise.then(forget, forget);
      return promise;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      slots.close(new TroupeError(ErrorCode.DISPOSED, `embedding model "${modelId}" has been disposed`));
      shutdown.abort();
      await Promise.allSettled([...running]);
      await context.dispose();
      await lease.release();
    },
    [Symbol.asyncDispose]() {
      return embedder.dispose();
    },
  };
  return embedder;
}
