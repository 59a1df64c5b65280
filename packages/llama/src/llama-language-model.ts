import type { CallOptions, GenerateResult, LanguageModel, ModelConfig, ModelConfigInput, StreamPart } from '@troupe/models';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import { resolveChatWrapper, type ChatWrapper, type LlamaContext, type Token } from 'node-llama-cpp';
import { abortable } from './abortable.js';
import { createAsyncChannel } from './async-channel.js';
import { createCallSignal, toCallError } from './call-signal.js';
import { preparePrompt } from './chat-prompt.js';
import { createGrammarCache, type GrammarCache } from './grammar-cache.js';
import type { LlamaBackend } from './llama-runtime.js';
import { silentLogger, type Logger } from './logger.js';
import { parseLlamaModelConfig } from './model-config-input.js';
import { resolveParallelism, threadsForModel } from './machine-defaults.js';
import { toModelLoadError } from './model-load-error.js';
import { getSharedModelStore, type ModelLease, type ModelStore } from './model-store.js';
import { generateOnSequence } from './sequence-generation.js';
import { createSlotQueue, type Slot } from './slot-queue.js';

export interface LlamaLanguageModelOptions {
  /** Where the model file is loaded and shared; defaults to the process-wide store. */
  store?: ModelStore;
  /** Directory that a relative `config.path` resolves against; defaults to the store's. */
  modelsDirectory?: string;
  /** CPU threads for this model's context when `config.threads` is unset; defaults to the runtime's. */
  threads?: number;
  logger?: Logger;
  /** Load progress in [0, 1], e.g. to publish `model.loading` progress events. */
  onLoadProgress?: (progress: number) => void;
}

/** What a loaded model runs with, for logs, health endpoints and benchmarks. */
export interface LlamaModelInfo {
  modelId: string;
  path: string;
  backend: LlamaBackend;
  threads: number;
  /** Tokens per sequence (llama.cpp may round the configured size up). */
  contextSize: number;
  trainContextSize: number;
  /** Parallel sequences in the one context: the registry's `sequences`, else from the machine. */
  sequences: number;
  /** Calls in flight at once (each holds a sequence): the registry's `maxConcurrency`, else `sequences`. */
  concurrency: number;
  gpuLayers: number;
  /** The chat template in use, e.g. `JinjaTemplate` or `Llama2Chat`. */
  chatTemplate: string;
}

/** A local GGUF model behind the Troupe `LanguageModel` contract. */
export interface LlamaLanguageModel extends LanguageModel {
  readonly provider: 'llama-cpp';
  readonly disposed: boolean;
  /** Loads the model and creates its context now instead of on the first call. */
  load(options?: { onProgress?: (progress: number) => void }): Promise<LlamaModelInfo>;
  /** Tokens of `text` by the model's own tokenizer, without special tokens. */
  tokenize(text: string): Promise<number[]>;
  detokenize(tokens: readonly number[]): Promise<string>;
  /** Aborts running calls (DISPOSED), disposes the context, then releases the model. Idempotent. */
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

interface Loaded {
  lease: ModelLease;
  context: LlamaContext;
  chatWrapper: ChatWrapper;
  grammars: GrammarCache;
  info: LlamaModelInfo;
  responseModel: string | undefined;
}

/**
 * Creates a `LanguageModel` for a `llama-cpp` registry entry. Nothing loads until the first call or
 * `load()`. One context holds `sequences` sequences (continuous batching; default from the machine,
 * see machine-defaults.ts) and runs up to `maxConcurrency` calls (default: one per sequence); up to `maxQueue`
 * more calls wait for a sequence, and one more is refused at once with BUSY (retryable).
 *
 * @example
 * const model = createLlamaLanguageModel(
 *   { id: 'qwen2.5-0.5b', provider: 'llama-cpp', path: 'qwen2.5-0.5b-instruct-q4_k_m.gguf', maxConcurrency: 4 },
 *   { logger },
 * );
 * const { text, usage } = await model.doGenerate({ messages: [{ role: 'user', content: 'Hi!' }], maxOutputTokens: 64 });
 * await model.dispose();
 */
export function createLlamaLanguageModel(config: ModelConfig | ModelConfigInput, options: LlamaLanguageModelOptions = {}): LlamaLanguageModel {
  const settings = parseLlamaModelConfig(config);
  const modelId = settings.id;
  const logger = (options.logger ?? silentLogger).child({ component: 'llama-language-model', modelId });
  const store = options.store ?? getSharedModelStore(options.logger ? { logger: options.logger } : {});
  const threads = settings.threads ?? options.threads ?? store.runtime.threads;
  // The machine's default yields to one thread for tiny files (see machine-defaults.ts); a registry or option value never does.
  const pinnedThreads = settings.threads ?? options.threads;
  const parallelism = resolveParallelism(settings, threads);
  const slots = createSlotQueue({ concurrency: parallelism.concurrency, maxQueue: settings.maxQueue, name: modelId });
  const shutdown = new AbortController();
  const progressListeners = new Set<(progress: number) => void>();
  const running = new Set<Promise<unknown>>();
  let loading: Promise<Loaded> | undefined;
  let disposed = false;
  if (options.onLoadProgress) progressListeners.add(options.onLoadProgress);

  const loadNow = async (): Promise<Loaded> => {
    const lease = await store.acquire(settings, {
      ...(options.modelsDirectory ? { modelsDirectory: options.modelsDirectory } : {}),
      onProgress: (progress) => progressListeners.forEach((listener) => listener(progress)),
    });
    try {
      const { model } = lease;
      // Past its training window a model degrades, so the registry's size is a ceiling, not a request.
      const contextSize = Math.min(settings.contextSize, model.trainContextSize || settings.contextSize);
      if (contextSize < settings.contextSize) logger.info({ contextSize, configured: settings.contextSize }, 'context size capped at the training context');
      const contextThreads = pinnedThreads ?? threadsForModel(model.size, threads);
      const context = await model.createContext({ sequences: parallelism.sequences, contextSize, threads: contextThreads });
      const chatWrapper = resolveChatWrapper(model);
      const { backend } = await store.runtime.info();
      const info: LlamaModelInfo = {
        modelId,
        path: lease.path,
        backend,
        threads: contextThreads,
        contextSize: context.contextSize,
        trainContextSize: model.trainContextSize,
        sequences: parallelism.sequences,
        concurrency: parallelism.concurrency,
        gpuLayers: model.gpuLayers,
        chatTemplate: chatWrapper.wrapperName,
      };
      logger.info(info, 'model ready');
      const responseModel = model.fileInfo.metadata.general?.name;
      return { lease, context, chatWrapper, grammars: createGrammarCache(model.llama), info, responseModel };
    } catch (error) {
      await lease.release();
      throw toModelLoadError(error, modelId, lease.path);
    }
  };

  const ensureLoaded = (): Promise<Loaded> => {
    if (disposed) return Promise.reject(disposedError(modelId));
    loading ??= loadNow().catch((error: unknown) => {
      loading = undefined; // the file may appear or memory free up; let a later call retry
      throw error;
    });
    return loading;
  };

  const generate = async (call: CallOptions, onTextDelta?: (delta: string) => void): Promise<GenerateResult> => {
    if (disposed) throw disposedError(modelId);
    const started = performance.now();
    const callSignal = createCallSignal({ modelId, signal: call.signal, timeoutMs: settings.timeoutMs, shutdown: shutdown.signal });
    const { signal } = callSignal;
    let slot: Slot | undefined;
    try {
      const loaded = await abortable(ensureLoaded(), signal);
      // Validate everything before taking a sequence, so bad requests fail fast and never queue.
      const grammar = call.responseSchema ? await loaded.grammars.get(call.responseSchema) : undefined;
      const prompt = preparePrompt({
        modelId,
        model: loaded.lease.model,
        chatWrapper: loaded.chatWrapper,
        messages: call.messages,
        contextSize: loaded.info.contextSize,
        ...(call.maxOutputTokens === undefined ? {} : { maxOutputTokens: call.maxOutputTokens }),
      });
      const queued = performance.now();
      slot = await slots.acquire(signal);
      const acquired = performance.now();
      let firstTokenAt: number | undefined;
      const output = await generateOnSequence({
        context: loaded.context,
        chatWrapper: loaded.chatWrapper,
        history: prompt.history,
        maxTokens: prompt.maxTokens,
        signal,
        ...(call.temperature === undefined ? {} : { temperature: call.temperature }),
        ...(call.repeatPenalty ? { repeatPenalty: call.repeatPenalty } : {}),
        ...(grammar ? { grammar } : {}),
        ...(onTextDelta ? { onTextDelta } : {}),
        onFirstToken: () => (firstTokenAt = performance.now()),
      });
      const finished = performance.now();
      const generatingSeconds = (finished - acquired) / 1000;
      return {
        text: output.text,
        usage: { inputTokens: prompt.inputTokens, outputTokens: output.outputTokens, cachedInputTokens: 0 },
        finishReason: output.finishReason,
        metrics: {
          latencyMs: finished - started,
          queueWaitMs: acquired - queued,
          ...(firstTokenAt === undefined ? {} : { timeToFirstTokenMs: firstTokenAt - started }),
          ...(generatingSeconds > 0 ? { tokensPerSecond: output.outputTokens / generatingSeconds } : {}),
          ...(output.confidence ? { confidenceMean: output.confidence.mean, confidenceMin: output.confidence.min } : {}),
        },
        ...(loaded.responseModel ? { responseModel: loaded.responseModel } : {}),
      };
    } catch (error) {
      throw toCallError(error, signal);
    } finally {
      slot?.release();
      callSignal.dispose();
    }
  };

  const tracked = <T>(promise: Promise<T>): Promise<T> => {
    running.add(promise);
    const forget = () => running.delete(promise);
    promise.then(forget, forget);
    return promise;
  };

  const model: LlamaLanguageModel = {
    specificationVersion: 'troupe.v1',
    provider: 'llama-cpp',
    modelId,
    get disposed() {
      return disposed;
    },
    async load(loadOptions = {}) {
      let finished = false;
      const listener = (progress: number) => {
        finished ||= progress >= 1;
        loadOptions.onProgress?.(progress);
      };
      progressListeners.add(listener);
      try {
        const loaded = await ensureLoaded();
        if (!finished) loadOptions.onProgress?.(1); // it was loaded before this call
        return loaded.info;
      } finally {
        progressListeners.delete(listener);
      }
    },
    doGenerate(call) {
      return tracked(generate(call));
    },
    async *doStream(call): AsyncIterable<StreamPart> {
      const channel = createAsyncChannel<StreamPart>();
      // Stopping the iteration early must stop generation and free the sequence.
      const consumer = new AbortController();
      const signal = call.signal ? AbortSignal.any([call.signal, consumer.signal]) : consumer.signal;
      const done = tracked(generate({ ...call, signal }, (delta) => channel.push({ type: 'text-delta', delta }))).then(
        (result) => {
          channel.push({
            type: 'finish',
            usage: result.usage,
            finishReason: result.finishReason,
            metrics: result.metrics,
            ...(result.responseModel ? { responseModel: result.responseModel } : {}),
          });
          channel.close();
        },
        (error: unknown) => channel.fail(error),
      );
      try {
        yield* channel;
      } finally {
        consumer.abort();
        await done;
      }
    },
    async tokenize(text) {
      const { lease } = await ensureLoaded();
      return Array.from(lease.model.tokenize(text));
    },
    async detokenize(tokens) {
      const { lease } = await ensureLoaded();
      return lease.model.detokenize(tokens as Token[]);
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      slots.close(disposedError(modelId));
      shutdown.abort();
      await Promise.allSettled([...running]);
      const loaded = await loading?.catch(() => undefined);
      loading = undefined;
      if (!loaded) return;
      await loaded.context.dispose();
      await loaded.lease.release();
      logger.info({}, 'model disposed');
    },
    [Symbol.asyncDispose]() {
      return model.dispose();
    },
  };
  return model;
}

function disposedError(modelId: string): TroupeError {
  return new TroupeError(ErrorCode.DISPOSED, `model "${modelId}" has been disposed`);
}
