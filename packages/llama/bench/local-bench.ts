/**
 * Local-tier benchmark: what does the Troupe LanguageModel cost on top of bare node-llama-cpp, how
 * does throughput scale with concurrent requests, and how fast is the first token?
 *
 *   node --conditions=@troupe/source --import tsx packages/llama/bench/local-bench.ts \
 *     [--model stories260K.gguf] [--runs 20] [--max-tokens 64] [--threads 1]
 *
 * The last line printed is one JSON object. `runBareBench` is exported so the NATS-level benchmark
 * can put the same bare baseline next to a full round trip.
 */
import { cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { getLlama, LlamaChat, LlamaLogLevel, resolveChatWrapper } from 'node-llama-cpp';
import { createLlamaLanguageModel, getSharedLlamaRuntime, type LlamaLanguageModel } from '../src/index.js';

const defaultModelsDir = process.env.TROUPE_MODELS_DIR ?? fileURLToPath(new URL('../../../../shared/models', import.meta.url));
const defaultPrompt = 'Tell me a story about a little girl and her dog.';

export interface BareBenchOptions {
  modelPath: string;
  prompt?: string;
  /** A system message before the prompt, to mirror exactly what a Troupe worker sends. */
  system?: string;
  maxTokens?: number;
  runs?: number;
  threads?: number;
  contextSize?: number;
  /** The same repetition penalty the Troupe side uses, so both sample alike (default: node-llama-cpp's). */
  repeatPenalty?: { penalty?: number; frequencyPenalty?: number; presencePenalty?: number; lastTokens?: number };
  /** Sequences in the one context; `batch(n)` runs up to this many generations at once (default 1). */
  sequences?: number;
}

export interface RunStats {
  runs: number;
  outputTokens: number;
  /** Output tokens over wall time, summed across runs. */
  tokensPerSecond: number;
  ttftP50Ms: number;
  latencyP50Ms: number;
}

interface Sample {
  outputTokens: number;
  latencyMs: number;
  ttftMs: number;
}

/** A loaded bare baseline: one generation per `once()`, on its own `Llama`. */
export interface BareRunner {
  backend: string;
  once(): Promise<Sample>;
  /** `n` generations at once, each on its own sequence of the one context (llama.cpp batches them). */
  batch(n: number): Promise<{ samples: Sample[]; wallMs: number }>;
  dispose(): Promise<void>;
}

/**
 * The baseline: a bare node-llama-cpp script (LlamaChat on a fresh sequence per run, the same chat
 * template, greedy sampling, one sequence) with no queue, no validation and no Troupe types.
 */
export async function createBareRunner(options: BareBenchOptions): Promise<BareRunner> {
  const { prompt = defaultPrompt, maxTokens = 64, threads = 1, contextSize = 2048, sequences = 1 } = options;
  const llama = await getLlama({
    gpu: 'auto',
    build: 'never',
    maxThreads: threads,
    // With logLevel 'error' llama.cpp prints its warnings to stderr itself; 'warn' routes them here.
    logLevel: LlamaLogLevel.warn,
    logger: () => undefined,
    progressLogs: false,
  });
  const model = await llama.loadModel({ modelPath: options.modelPath });
  const context = await model.createContext({ sequences, contextSize: Math.min(contextSize, model.trainContextSize), threads });
  const chatWrapper = resolveChatWrapper(model);
  const once = async (): Promise<Sample> => {
    const sequence = context.getSequence();
    const chat = new LlamaChat({ contextSequence: sequence, chatWrapper, autoDisposeSequence: false });
    const started = performance.now();
    let firstToken: number | undefined;
    const history = [
      ...(options.system ? [{ type: 'system' as const, text: options.system }] : []),
      { type: 'user' as const, text: prompt },
      { type: 'model' as const, response: [] },
    ];
    await chat.generateResponse(history, {
      maxTokens,
      temperature: 0,
      ...(options.repeatPenalty ? { repeatPenalty: options.repeatPenalty } : {}),
      onToken: () => (firstToken ??= performance.now()),
    });
    const ended = performance.now();
    const outputTokens = sequence.tokenMeter.usedOutputTokens;
    chat.dispose();
    await sequence.dispose();
    return { outputTokens, latencyMs: ended - started, ttftMs: (firstToken ?? ended) - started };
  };
  return {
    backend: llama.gpu || 'cpu',
    once,
    async batch(n) {
      const started = performance.now();
      const samples = await Promise.all(Array.from({ length: n }, once));
      return { samples, wallMs: performance.now() - started };
    },
    dispose: () => llama.dispose(),
  };
}

/** Runs the bare baseline alone (warm-up, then `runs` generations). */
export async function runBareBench(options: BareBenchOptions): Promise<RunStats & { backend: string }> {
  const runner = await createBareRunner(options);
  try {
    await runner.once(); // warm-up: the first evaluation allocates compute buffers
    const samples: Sample[] = [];
    for (let run = 0; run < (options.runs ?? 20); run += 1) samples.push(await runner.once());
    return { ...summarise(samples), backend: runner.backend };
  } finally {
    await runner.dispose();
  }
}

export interface LocalBenchOptions {
  modelsDir?: string;
  /** File name in `modelsDir`. */
  model?: string;
  runs?: number;
  maxTokens?: number;
  threads?: number;
  prompt?: string;
  concurrencyLevels?: number[];
}

export interface LocalBenchReport {
  bench: 'local';
  model: string;
  backend: string;
  threads: number;
  maxTokens: number;
  runs: number;
  bare: RunStats;
  troupe: RunStats;
  /** Troupe tokens/s divided by bare tokens/s: 1.0 means no overhead. */
  throughputRatio: number;
  concurrency: Array<{ requests: number; aggregateTokensPerSecond: number; ttftP50Ms: number; latencyP50Ms: number }>;
  cpu: string;
  node: string;
}

/** Runs all three measurements on one model; see the file comment. */
export async function runLocalBench(options: LocalBenchOptions = {}): Promise<LocalBenchReport> {
  const { modelsDir = defaultModelsDir, model: file = 'stories260K.gguf', runs = 20, maxTokens = 64, threads = 1, prompt = defaultPrompt } = options;
  const levels = options.concurrencyLevels ?? [1, 2, 4, 8];
  const config = { provider: 'llama-cpp', path: file, threads, contextSize: 2048, timeoutMs: 600_000 } as const;
  const messages = [{ role: 'user' as const, content: prompt }];
  const callOf = (model: LlamaLanguageModel) => async (): Promise<Sample> => {
    const result = await model.doGenerate({ messages, maxOutputTokens: maxTokens });
    return {
      outputTokens: result.usage.outputTokens,
      latencyMs: result.metrics.latencyMs,
      ttftMs: result.metrics.timeToFirstTokenMs ?? result.metrics.latencyMs,
    };
  };

  // (a) Same shape on both sides: one sequence, runs interleaved so drift hits both equally.
  const bare = await createBareRunner({ modelPath: path.resolve(modelsDir, file), prompt, maxTokens, threads });
  const single = createLlamaLanguageModel({ ...config, id: 'bench-single', maxConcurrency: 1 }, { modelsDirectory: modelsDir });
  const many = createLlamaLanguageModel(
    { ...config, id: 'bench-batched', maxConcurrency: Math.max(...levels), maxQueue: 64 },
    { modelsDirectory: modelsDir },
  );
  try {
    const info = await single.load();
    const troupeOnce = callOf(single);
    await bare.once();
    await troupeOnce();
    const bareSamples: Sample[] = [];
    const troupeSamples: Sample[] = [];
    for (let run = 0; run < runs; run += 1) {
      bareSamples.push(await bare.once());
      troupeSamples.push(await troupeOnce());
    }
    await single.dispose();
    const bareStats = summarise(bareSamples);
    const troupeStats = summarise(troupeSamples);

    // (b) and (c): aggregate throughput and time to first token with continuous batching.
    const batchedOnce = callOf(many);
    await batchedOnce();
    const concurrency = [];
    for (const requests of levels) {
      const rounds = Math.max(2, Math.ceil(runs / requests));
      const started = performance.now();
      const results: Sample[] = [];
      for (let round = 0; round < rounds; round += 1) results.push(...(await Promise.all(Array.from({ length: requests }, batchedOnce))));
      const seconds = (performance.now() - started) / 1000;
      const stats = summarise(results);
      concurrency.push({
        requests,
        aggregateTokensPerSecond: round1(stats.outputTokens / seconds),
        ttftP50Ms: stats.ttftP50Ms,
        latencyP50Ms: stats.latencyP50Ms,
      });
    }
    return {
      bench: 'local',
      model: file,
      backend: info.backend,
      threads,
      maxTokens,
      runs,
      bare: bareStats,
      troupe: troupeStats,
      throughputRatio: Math.round((troupeStats.tokensPerSecond / bareStats.tokensPerSecond) * 1000) / 1000,
      concurrency,
      cpu: `${cpus()[0]?.model ?? 'unknown'} x${cpus().length}`,
      node: process.version,
    };
  } finally {
    await single.dispose();
    await many.dispose();
    await bare.dispose();
    await getSharedLlamaRuntime().dispose();
  }
}

function summarise(samples: Sample[]): RunStats {
  const outputTokens = samples.reduce((sum, sample) => sum + sample.outputTokens, 0);
  const seconds = samples.reduce((sum, sample) => sum + sample.latencyMs, 0) / 1000;
  return {
    runs: samples.length,
    outputTokens,
    tokensPerSecond: round1(outputTokens / seconds),
    ttftP50Ms: round1(median(samples.map((sample) => sample.ttftMs))),
    latencyP50Ms: round1(median(samples.map((sample) => sample.latencyMs))),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const numberArgument = (name: string) => (argument(name) === undefined ? undefined : Number(argument(name)));
  const report = await runLocalBench({
    ...(argument('models-dir') ? { modelsDir: argument('models-dir') } : {}),
    ...(argument('model') ? { model: argument('model') } : {}),
    ...(numberArgument('runs') ? { runs: numberArgument('runs') } : {}),
    ...(numberArgument('max-tokens') ? { maxTokens: numberArgument('max-tokens') } : {}),
    ...(numberArgument('threads') ? { threads: numberArgument('threads') } : {}),
  });
  process.stdout.write(`${JSON.stringify(report)}\n`);
}
