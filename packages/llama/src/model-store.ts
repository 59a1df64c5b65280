import type { ModelConfig } from '@troupe/models';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import type { LlamaModel } from 'node-llama-cpp';
import { assertGgufFile } from './gguf-header.js';
import { getSharedLlamaRuntime, type LlamaRuntime } from './llama-runtime.js';
import { silentLogger, type Logger } from './logger.js';
import { toModelLoadError } from './model-load-error.js';
import { resolveModelPath, resolveModelsDirectory } from './model-path.js';

export interface ModelStoreOptions {
  /** Defaults to the process-wide runtime. The store never disposes a runtime. */
  runtime?: LlamaRuntime;
  /** Where relative model paths resolve; defaults to `$TROUPE_MODELS_DIR`, else `./models`. */
  modelsDirectory?: string;
  logger?: Logger;
}

export interface AcquireModelOptions {
  /** Overrides the store's models directory for this model's relative path. */
  modelsDirectory?: string;
  /** Load progress in [0, 1]; called with 1 at once when the model is already loaded. */
  onProgress?: (progress: number) => void;
}

/** A counted reference to a loaded model; the model is unloaded when the last lease is released. */
export interface ModelLease {
  readonly modelId: string;
  readonly path: string;
  readonly model: LlamaModel;
  /** Idempotent. */
  release(): Promise<void>;
}

/** Loads each model file once and shares it between everyone who asks for the same model id. */
export interface ModelStore {
  readonly modelsDirectory: string;
  readonly runtime: LlamaRuntime;
  readonly disposed: boolean;
  /**
   * Loads (or joins the load of) a `llama-cpp` model. Concurrent calls for one id share a promise.
   *
   * @throws TroupeError MODEL_NOT_FOUND (missing file), MODEL_LOAD_FAILED (corrupt, not GGUF, out of
   *   memory), CONFIG_INVALID (not a llama-cpp model, or the same id with a different path), DISPOSED.
   */
  acquire(config: ModelConfig, options?: AcquireModelOptions): Promise<ModelLease>;
  /** Ids of models loaded or loading now. */
  loadedModelIds(): string[];
  /** Unloads every model. Idempotent; later `acquire` calls throw DISPOSED. */
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

interface Entry {
  readonly source: string;
  readonly listeners: Set<(progress: number) => void>;
  readonly loading: Promise<{ model: LlamaModel; path: string }>;
  loaded?: { model: LlamaModel; path: string };
  references: number;
}

/**
 * Creates a model store.
 *
 * @example
 * const store = createModelStore({ modelsDirectory: '/srv/models' });
 * const lease = await store.acquire(config, { onProgress: (p) => publish({ type: 'model.loading', p }) });
 * // ... lease.model.createContext(...)
 * await lease.release();
 */
export function createModelStore(options: ModelStoreOptions = {}): ModelStore {
  const runtime = options.runtime ?? getSharedLlamaRuntime({ ...(options.logger ? { logger: options.logger } : {}) });
  const modelsDirectory = resolveModelsDirectory(options.modelsDirectory);
  const logger = (options.logger ?? silentLogger).child({ component: 'model-store' });
  const entries = new Map<string, Entry>();
  let disposed = false;

  const load = async (config: ModelConfig, directory: string, listeners: Set<(progress: number) => void>) => {
    // llama.cpp may repeat a value (it reports 1 itself); listeners see each step once, rising.
    let last = -1;
    const report = (progress: number) => {
      if (progress <= last) return;
      last = progress;
      notify(listeners, progress, logger);
    };
    const filePath = await resolveModelPath(config, directory);
    await assertGgufFile(filePath);
    const llama = await runtime.getLlama();
    const started = performance.now();
    try {
      const model = await llama.loadModel({
        modelPath: filePath,
        gpuLayers: config.gpuLayers,
        onLoadProgress: report,
      });
      report(1);
      logger.info({ modelId: config.id, path: filePath, gpuLayers: model.gpuLayers, ms: Math.round(performance.now() - started) }, 'model loaded');
      return { model, path: filePath };
    } catch (error) {
      throw toModelLoadError(error, config.id, filePath);
    }
  };

  const unload = async (modelId: string, entry: Entry): Promise<void> => {
    if (entries.get(modelId) === entry) entries.delete(modelId);
    const loaded = entry.loaded ?? (await entry.loading.catch(() => undefined));
    await loaded?.model.dispose();
    logger.info({ modelId }, 'model unloaded');
  };

  const store: ModelStore = {
    modelsDirectory,
    runtime,
    get disposed() {
      return disposed;
    },
    async acquire(config, acquireOptions = {}) {
      if (disposed) throw new TroupeError(ErrorCode.DISPOSED, 'the model store has been disposed');
      const directory = acquireOptions.modelsDirectory === undefined ? modelsDirectory : resolveModelsDirectory(acquireOptions.modelsDirectory);
      const source = `${directory}|${config.path ?? ''}|${String(config.gpuLayers)}`;
      let entry = entries.get(config.id);
      if (entry && entry.source !== source) {
        throw new TroupeError(ErrorCode.CONFIG_INVALID, `model "${config.id}" is already loaded from a different path or gpuLayers`);
      }
      if (!entry) {
        const listeners = new Set<(progress: number) => void>();
        const created: Entry = { source, listeners, loading: load(config, directory, listeners), references: 0 };
        created.loading.then(
          (loaded) => (created.loaded = loaded),
          () => entries.get(config.id) === created && entries.delete(config.id), // let a later call retry
        );
        entries.set(config.id, created);
        entry = created;
      }
      // Count the reference before awaiting so another lease's release cannot unload under us.
      entry.references += 1;
      const { onProgress } = acquireOptions;
      if (onProgress && entry.loaded) notify(new Set([onProgress]), 1, logger);
      else if (onProgress) entry.listeners.add(onProgress);
      let loaded: { model: LlamaModel; path: string };
      try {
        loaded = await entry.loading;
      } catch (error) {
        entry.references -= 1;
        throw error;
      } finally {
        if (onProgress) entry.listeners.delete(onProgress);
      }
      const held = entry;
      let released = false;
      return {
        modelId: config.id,
        path: loaded.path,
        model: loaded.model,
        async release() {
          if (released) return;
          released = true;
          held.references -= 1;
          if (held.references === 0) await unload(config.id, held);
        },
      };
    },
    loadedModelIds() {
      return [...entries.keys()];
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      const all = [...entries.entries()];
      entries.clear();
      await Promise.all(all.map(([modelId, entry]) => unload(modelId, entry)));
    },
    [Symbol.asyncDispose]() {
      return store.dispose();
    },
  };
  return store;
}

let shared: ModelStore | undefined;

/** The process-wide store on the shared runtime; the first caller's options win. */
export function getSharedModelStore(options: Omit<ModelStoreOptions, 'runtime'> = {}): ModelStore {
  if (!shared || shared.disposed || shared.runtime.disposed) shared = createModelStore(options);
  return shared;
}

function notify(listeners: Set<(progress: number) => void>, progress: number, logger: Logger): void {
  for (const listener of listeners) {
    try {
      listener(Math.min(1, Math.max(0, progress)));
    } catch (error) {
      logger.warn({ err: error }, 'model load progress listener threw');
    }
  }
}
