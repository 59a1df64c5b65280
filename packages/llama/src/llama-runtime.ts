import { ErrorCode, TroupeError } from '@troupe/protocol';
import { getLlama, LlamaLogLevel, type Llama, type LlamaOptions } from 'node-llama-cpp';
import { silentLogger, type Logger } from './logger.js';
import { estimatePhysicalCores } from './physical-cores.js';

/** Which compute backend to ask llama.cpp for; `false` forces the CPU. */
export type LlamaGpuPreference = 'auto' | 'cuda' | 'vulkan' | 'metal' | false;

/** The backend actually in use once the runtime has loaded. */
export type LlamaBackend = 'cuda' | 'vulkan' | 'metal' | 'cpu';

export interface LlamaRuntimeOptions {
  /** Defaults to env `TROUPE_LLAMA_GPU` (`auto`, `cuda`, `vulkan`, `metal`, `cpu`), else `auto`. */
  gpu?: LlamaGpuPreference;
  /** CPU threads for evaluation. Defaults to env `TROUPE_LLAMA_THREADS`, else the physical core estimate. */
  threads?: number;
  logger?: Logger;
}

export interface LlamaRuntimeInfo {
  backend: LlamaBackend;
  threads: number;
  /** `true` when a GPU backend was asked for but could not start, so the CPU is used. */
  fellBackToCpu: boolean;
  buildType: 'prebuilt' | 'localBuild';
}

/** Owner of one node-llama-cpp `Llama` (the native backend): created lazily, disposed once. */
export interface LlamaRuntime {
  /** Threads every context of this runtime uses unless a model config overrides it. */
  readonly threads: number;
  readonly disposed: boolean;
  /** The backend, loaded on first use; concurrent callers share one load. */
  getLlama(): Promise<Llama>;
  info(): Promise<LlamaRuntimeInfo>;
  /** Disposes the backend and, with it, every model and context created on it. Idempotent. */
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Creates a runtime that owns its own `Llama`. Most callers want {@link getSharedLlamaRuntime}:
 * one backend per process keeps models shareable and threads accounted in one place.
 *
 * @example
 * await using runtime = createLlamaRuntime({ gpu: false, threads: 2 });
 * const { backend } = await runtime.info();
 */
export function createLlamaRuntime(options: LlamaRuntimeOptions = {}): LlamaRuntime {
  const logger = (options.logger ?? silentLogger).child({ component: 'llama-runtime' });
  const gpu = options.gpu ?? gpuFromEnvironment();
  const threads = options.threads ?? threadsFromEnvironment() ?? estimatePhysicalCores();
  if (!Number.isInteger(threads) || threads < 1) {
    throw new TroupeError(ErrorCode.CONFIG_INVALID, `llama threads must be a positive integer, got ${threads}`);
  }
  let loading: Promise<{ llama: Llama; fellBackToCpu: boolean }> | undefined;
  let disposed = false;

  const load = async (): Promise<{ llama: Llama; fellBackToCpu: boolean }> => {
    // build 'never' so a missing prebuilt binary fails fast instead of compiling llama.cpp for
    // minutes; maxThreads caps every context so nothing falls back to node-llama-cpp's 4 threads.
    const base: LlamaOptions = {
      build: 'never',
      skipDownload: true,
      progressLogs: false,
      maxThreads: threads,
      logLevel: LlamaLogLevel.warn,
      logger: (level, message) => forwardLog(logger, level, message),
    };
    if (gpu !== false) {
      try {
        return { llama: await getLlama({ ...base, gpu }), fellBackToCpu: false };
      } catch (error) {
        logger.warn({ err: error, gpu }, 'GPU backend failed to start; falling back to CPU');
      }
    }
    try {
      return { llama: await getLlama({ ...base, gpu: false }), fellBackToCpu: gpu !== false };
    } catch (error) {
      throw new TroupeError(ErrorCode.MODEL_LOAD_FAILED, `no usable llama.cpp binary for this platform: ${messageOf(error)}`, {
        cause: error,
      });
    }
  };

  const loaded = (): Promise<{ llama: Llama; fellBackToCpu: boolean }> => {
    if (disposed) throw new TroupeError(ErrorCode.DISPOSED, 'the llama runtime has been disposed');
    loading ??= load().then(
      (result) => {
        logger.info({ backend: result.llama.gpu || 'cpu', threads, buildType: result.llama.buildType }, 'llama backend ready');
        return result;
      },
      (error: unknown) => {
        loading = undefined; // a later call may retry, e.g. after the GPU driver recovers
        throw error;
      },
    );
    return loading;
  };

  const runtime: LlamaRuntime = {
    threads,
    get disposed() {
      return disposed;
    },
    async getLlama() {
      return (await loaded()).llama;
    },
    async info() {
      const { llama, fellBackToCpu } = await loaded();
      return { backend: llama.gpu || 'cpu', threads, fellBackToCpu, buildType: llama.buildType };
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      const pending = loading;
      loading = undefined;
      if (!pending) return;
      const llama = await pending.then((result) => result.llama).catch(() => undefined);
      await llama?.dispose();
    },
    [Symbol.asyncDispose]() {
      return runtime.dispose();
    },
  };
  return runtime;
}

let shared: LlamaRuntime | undefined;

/**
 * The process-wide runtime: one `Llama` per process, created on first use. The first caller's
 * options win; later callers get the same instance. After it is disposed, the next call creates a
 * fresh one.
 */
export function getSharedLlamaRuntime(options: LlamaRuntimeOptions = {}): LlamaRuntime {
  if (!shared || shared.disposed) shared = createLlamaRuntime(options);
  return shared;
}

function forwardLog(logger: Logger, level: LlamaLogLevel, message: string): void {
  const payload = { source: 'llama.cpp', message: message.trim() };
  switch (level) {
    case LlamaLogLevel.fatal:
    case LlamaLogLevel.error:
      logger.error(payload, 'llama.cpp error');
      return;
    case LlamaLogLevel.warn:
      logger.warn(payload, 'llama.cpp warning');
      return;
    case LlamaLogLevel.info:
    case LlamaLogLevel.log:
      logger.info(payload, 'llama.cpp');
      return;
    default:
      logger.debug(payload, 'llama.cpp');
  }
}

function gpuFromEnvironment(): LlamaGpuPreference {
  const value = process.env.TROUPE_LLAMA_GPU?.trim().toLowerCase();
  if (value === undefined || value === '' || value === 'auto') return 'auto';
  if (value === 'cpu' || value === 'false' || value === 'none' || value === '0') return false;
  if (value === 'cuda' || value === 'vulkan' || value === 'metal') return value;
  throw new TroupeError(ErrorCode.CONFIG_INVALID, `TROUPE_LLAMA_GPU must be auto, cuda, vulkan, metal or cpu, got "${value}"`);
}

function threadsFromEnvironment(): number | undefined {
  const value = process.env.TROUPE_LLAMA_THREADS?.trim();
  if (value === undefined || value === '') return undefined;
  return Number(value);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
