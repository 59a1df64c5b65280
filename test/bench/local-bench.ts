// bench:local — the local tier through a real Troupe worker process over NATS against bare
// node-llama-cpp on the same model, the same messages, the same threads and the same context shape
// (one context of 8 sequences on both sides):
//   ratio      single stream, worker tokens/s ÷ bare tokens/s (runs interleaved);
//   ratio_at_8 8 concurrent requests: worker aggregate tokens/s ÷ bare aggregate with 8 sequences
//              generating at once (rounds interleaved, same run);
// plus the threads chosen, time to first token, RSS after load, and worker scaling at 1/2/4/8.
// One JSON line last.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { launchService } from '@troupe/cli';
import { estimatePhysicalCores } from '@troupe/llama';
import { SubtaskRequest, subjects, type WorkerResult } from '@troupe/protocol';
import { connectNats, requestJson } from '@troupe/transport';
import { startNatsServer } from '@troupe/testing';
import { PROSE_REPEAT_PENALTY, subtaskMessages } from '@troupe/worker';
import { createBareRunner } from '../../packages/llama/bench/local-bench.js';
import { percentile, round } from './stats.js';

const modelsDir = process.env.TROUPE_MODELS_DIR;
if (!modelsDir) throw new Error('set TROUPE_MODELS_DIR');
const SMOLLM2 = 'SmolLM2-135M-Instruct-Q4_1.gguf';
const { values } = parseArgs({
  options: {
    model: { type: 'string', default: existsSync(join(modelsDir, SMOLLM2)) ? SMOLLM2 : 'stories260K.gguf' },
    runs: { type: 'string', default: '20' },
    'max-tokens': { type: 'string', default: '64' },
    /** Unset: the physical-core estimate, as the worker chooses with no `threads` in its registry. */
    threads: { type: 'string' },
    'rounds-at-8': { type: 'string', default: '3' },
  },
});
const runs = Number(values.runs);
const maxTokens = Number(values['max-tokens']);
const threads = values.threads === undefined ? estimatePhysicalCores() : Number(values.threads);
const roundsAt8 = Number(values['rounds-at-8']);
const SEQUENCES = 8;
const prompt = 'Tell me a story about a little girl and her dog.';

const directory = mkdtempSync(join(tmpdir(), 'troupe-local-bench-'));
const registry = join(directory, 'models.json');
// No `threads` unless asked: the worker picks them from the machine like a shipped registry does.
const entry = { id: 'local', provider: 'llama-cpp', path: values.model, contextSize: 1024, sequences: SEQUENCES, maxQueue: 64, timeoutMs: 600_000, ...(values.threads ? { threads } : {}) };
writeFileSync(registry, JSON.stringify({ models: [entry] }));
const request = (index: number) =>
  SubtaskRequest.parse({ taskId: `bench-${index}`, tenant: 'default', nodeId: 'generate', attempt: 1, skill: 'generate', instructions: '', input: prompt, timeoutMs: 600_000 });
const [system] = subtaskMessages(request(0));

const server = await startNatsServer({ jetstream: false });
const worker = await launchService('worker', {
  TROUPE_NATS_URL: server.url,
  TROUPE_MODELS_CONFIG: registry,
  TROUPE_MODELS_DIR: modelsDir,
  TROUPE_SKILLS: 'generate',
  TROUPE_MAX_OUTPUT_TOKENS: String(maxTokens),
  TROUPE_DURABLE: 'false',
  TROUPE_BUDGETS: 'false',
  TROUPE_LOG_LEVEL: 'warn',
  ...(values.threads ? { TROUPE_LLAMA_THREADS: String(threads) } : {}),
}, { readyTimeoutMs: 180_000 });
const connection = await connectNats({ servers: server.url });
// The worker gives prose skills a repeat penalty; the bare side samples with the same one.
const bare = await createBareRunner({
  modelPath: join(modelsDir, values.model!),
  prompt,
  system: system!.content,
  maxTokens,
  threads,
  contextSize: 1024,
  sequences: SEQUENCES,
  repeatPenalty: PROSE_REPEAT_PENALTY,
});
const bareRssMb = process.memoryUsage().rss / 1e6;

let sent = 0;
const overNats = async () => {
  const started = performance.now();
  const result = (await requestJson(connection, subjects.workerRun('generate'), request((sent += 1)), { timeoutMs: 600_000 })) as WorkerResult;
  return { outputTokens: result.usage.outputTokens, latencyMs: performance.now() - started, ttftMs: result.metrics.timeToFirstTokenMs ?? result.metrics.latencyMs };
};
const workerBatch = async (n: number) => {
  const started = performance.now();
  const samples = await Promise.all(Array.from({ length: n }, overNats));
  return { samples, wallMs: performance.now() - started };
};
const rate = (samples: Array<{ outputTokens: number; latencyMs: number }>) =>
  samples.reduce((sum, sample) => sum + sample.outputTokens, 0) / (samples.reduce((sum, sample) => sum + sample.latencyMs, 0) / 1_000);
const tokens = (samples: Array<{ outputTokens: number }>) => samples.reduce((sum, sample) => sum + sample.outputTokens, 0);
/** Resident memory of a process in MB, from /proc (Linux); undefined elsewhere. */
const rssOf = (pid: number | undefined) => {
  try {
    const kb = /^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1e3 : undefined;
  } catch {
    return undefined;
  }
};

try {
  // Warm both sides: the worker loads its model on the first request; the first batch allocates buffers.
  const step = (what: string) => process.stderr.write(`bench:local: ${what}\n`);
  await bare.once();
  await overNats();
  step('single streams warm');
  await bare.batch(SEQUENCES);
  await workerBatch(SEQUENCES);
  step('8-sequence batches warm');
  const workerRssMb = rssOf(worker.process.pid);
  const bareSamples = [];
  const workerSamples = [];
  // Interleaved, so drift on this shared machine hits both sides alike.
  for (let run = 0; run < runs; run += 1) {
    bareSamples.push(await bare.once());
    workerSamples.push(await overNats());
  }
  let bareTokensAt8 = 0;
  let bareMsAt8 = 0;
  let workerTokensAt8 = 0;
  let workerMsAt8 = 0;
  const workerTtftAt8 = [];
  for (let round = 0; round < roundsAt8; round += 1) {
    const bareRound = await bare.batch(SEQUENCES);
    const workerRound = await workerBatch(SEQUENCES);
    bareTokensAt8 += tokens(bareRound.samples);
    bareMsAt8 += bareRound.wallMs;
    workerTokensAt8 += tokens(workerRound.samples);
    workerMsAt8 += workerRound.wallMs;
    workerTtftAt8.push(...workerRound.samples.map((sample) => sample.ttftMs));
  }
  step('single-stream and 8-concurrent rounds done');
  await bare.dispose();
  const scaling = [];
  for (const requests of [1, 2, 4]) {
    const rounds = Math.max(2, Math.ceil(runs / requests / 2));
    const started = performance.now();
    const samples = [];
    for (let round = 0; round < rounds; round += 1) samples.push(...(await workerBatch(requests)).samples);
    scaling.push({ requests, aggregate_tokens_per_second: round(tokens(samples) / ((performance.now() - started) / 1_000), 1) });
  }
  const bareAt8 = bareTokensAt8 / (bareMsAt8 / 1_000);
  const workerAt8 = workerTokensAt8 / (workerMsAt8 / 1_000);
  scaling.push({ requests: 8, aggregate_tokens_per_second: round(workerAt8, 1) });
  process.stdout.write(
    `${JSON.stringify({
      bench: 'local',
      model: values.model,
      backend: bare.backend,
      threads,
      threads_source: values.threads ? '--threads' : 'physical-core estimate',
      sequences: SEQUENCES,
      max_tokens: maxTokens,
      runs,
      bare_tokens_per_second: round(rate(bareSamples), 1),
      worker_over_nats_tokens_per_second: round(rate(workerSamples), 1),
      ratio: round(rate(workerSamples) / rate(bareSamples), 3),
      bare_aggregate_tokens_per_second_at_8: round(bareAt8, 1),
      worker_aggregate_tokens_per_second_at_8: round(workerAt8, 1),
      ratio_at_8: round(workerAt8 / bareAt8, 3),
      bare_ttft_p50_ms: round(percentile(bareSamples.map((sample) => sample.ttftMs), 50), 2),
      worker_ttft_p50_ms: round(percentile(workerSamples.map((sample) => sample.ttftMs), 50), 2),
      worker_ttft_p50_ms_at_8: round(percentile(workerTtftAt8, 50), 2),
      bare_rss_mb_after_load: round(bareRssMb, 1),
      worker_rss_mb_after_load: workerRssMb === undefined ? null : round(workerRssMb, 1),
      scaling,
    })}\n`,
  );
} finally {
  await connection.drain();
  await worker.stop();
  await server.stop();
}
