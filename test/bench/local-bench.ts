// bench:local — the local tier through a real Troupe worker process over NATS against a bare
// node-llama-cpp script on the same model and the same messages: (a) tokens/s ratio, (b) aggregate
// tokens/s at 1, 2, 4, 8 concurrent requests, (c) time to first token p50. One JSON line last.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { launchService } from '@troupe/cli';
import { SubtaskRequest, subjects, type WorkerResult } from '@troupe/protocol';
import { connectNats, requestJson } from '@troupe/transport';
import { startNatsServer } from '@troupe/testing';
import { subtaskMessages } from '@troupe/worker';
import { createBareRunner } from '../../packages/llama/bench/local-bench.js';
import { percentile, round } from './stats.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'stories260K.gguf' },
    runs: { type: 'string', default: '20' },
    'max-tokens': { type: 'string', default: '64' },
    threads: { type: 'string', default: '1' },
  },
});
const modelsDir = process.env.TROUPE_MODELS_DIR;
if (!modelsDir) throw new Error('set TROUPE_MODELS_DIR');
const runs = Number(values.runs);
const maxTokens = Number(values['max-tokens']);
const threads = Number(values.threads);
const prompt = 'Tell me a story about a little girl and her dog.';

const directory = mkdtempSync(join(tmpdir(), 'troupe-local-bench-'));
const registry = join(directory, 'models.json');
writeFileSync(
  registry,
  JSON.stringify({ models: [{ id: 'local', provider: 'llama-cpp', path: values.model, threads, contextSize: 2048, maxConcurrency: 8, maxQueue: 64, timeoutMs: 600_000 }] }),
);
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
});
const connection = await connectNats({ servers: server.url });
const bare = await createBareRunner({ modelPath: join(modelsDir, values.model!), prompt, system: system!.content, maxTokens, threads });

let sent = 0;
const overNats = async () => {
  const started = performance.now();
  const result = (await requestJson(connection, subjects.workerRun('generate'), request((sent += 1)), { timeoutMs: 600_000 })) as WorkerResult;
  return { outputTokens: result.usage.outputTokens, latencyMs: performance.now() - started, ttftMs: result.metrics.timeToFirstTokenMs ?? result.metrics.latencyMs };
};
const rate = (samples: Array<{ outputTokens: number; latencyMs: number }>) =>
  samples.reduce((sum, sample) => sum + sample.outputTokens, 0) / (samples.reduce((sum, sample) => sum + sample.latencyMs, 0) / 1_000);

try {
  await bare.once();
  await overNats();
  const bareSamples = [];
  const workerSamples = [];
  // Interleaved, so drift on this shared machine hits both sides alike.
  for (let run = 0; run < runs; run += 1) {
    bareSamples.push(await bare.once());
    workerSamples.push(await overNats());
  }
  await bare.dispose();
  const concurrency = [];
  for (const requests of [1, 2, 4, 8]) {
    const rounds = Math.max(2, Math.ceil(runs / requests));
    const started = performance.now();
    const samples = [];
    for (let round = 0; round < rounds; round += 1) samples.push(...(await Promise.all(Array.from({ length: requests }, overNats))));
    const seconds = (performance.now() - started) / 1_000;
    concurrency.push({
      requests,
      aggregate_tokens_per_second: round(samples.reduce((sum, sample) => sum + sample.outputTokens, 0) / seconds, 1),
      ttft_p50_ms: round(percentile(samples.map((sample) => sample.ttftMs), 50), 2),
    });
  }
  const single = concurrency[0]!.aggregate_tokens_per_second;
  process.stdout.write(
    `${JSON.stringify({
      bench: 'local',
      model: values.model,
      backend: bare.backend,
      threads,
      max_tokens: maxTokens,
      runs,
      bare_tokens_per_second: round(rate(bareSamples), 1),
      worker_over_nats_tokens_per_second: round(rate(workerSamples), 1),
      ratio: round(rate(workerSamples) / rate(bareSamples), 3),
      bare_ttft_p50_ms: round(percentile(bareSamples.map((sample) => sample.ttftMs), 50), 2),
      worker_ttft_p50_ms: round(percentile(workerSamples.map((sample) => sample.ttftMs), 50), 2),
      concurrency,
      scaling_at_8: round(concurrency[3]!.aggregate_tokens_per_second / single, 2),
    })}\n`,
  );
} finally {
  await connection.drain();
  await worker.stop();
  await server.stop();
}
