/**
 * Parallel sequences a local model's context gets when the registry names none.
 *
 * All sequences share one loaded copy of the weights and are decoded in one batch per step, so on a
 * CPU extra sequences mostly fill the idle time between matrix multiplications: measured here with
 * SmolLM2-135M on 2 cores, 8 sequences gave 1.2x the single-stream rate. Each sequence costs its own
 * KV cache, though, so the default grows with the cores (2 per thread) and stops at 8.
 */
export function defaultSequences(threads: number): number {
  return Math.min(8, Math.max(2, 2 * threads));
}

/** What a local model runs with once the registry and the machine have both had their say. */
export interface LocalParallelism {
  sequences: number;
  /** Calls in flight at once; never more than `sequences`, since each call holds one. */
  concurrency: number;
}

/**
 * Sequences and concurrency for a model: the registry's `sequences` and `maxConcurrency` win;
 * otherwise concurrency equals the sequences, and the sequences come from the machine.
 */
export function resolveParallelism(config: { sequences?: number | undefined; maxConcurrency?: number | undefined }, threads: number): LocalParallelism {
  const sequences = config.sequences ?? config.maxConcurrency ?? defaultSequences(threads);
  return { sequences, concurrency: Math.min(config.maxConcurrency ?? sequences, sequences) };
}

/** Below this file size a model is "tiny": thread synchronisation costs more than the matrix work. */
export const TINY_MODEL_BYTES = 16 * 1024 * 1024;

/**
 * Threads for a model when nothing pins them: the machine's count, except one for tiny models.
 * Measured here: stories260K (1.2 MB) ran at 1,100-2,200 tok/s on 1 thread and 45-80 on 2, while
 * SmolLM2-135M (98 MB) ran at 112 tok/s on 2 threads and 70 on 1.
 */
export function threadsForModel(modelBytes: number, machineThreads: number): number {
  return modelBytes < TINY_MODEL_BYTES ? 1 : machineThreads;
}
