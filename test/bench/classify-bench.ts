// bench:classify — a fast classifier end to end: trains on --train (embeddings + softmax head,
// regularisation and threshold by cross-validation on those rows only), deploys it to NATS KV, then
// classifies every --test row as a real task (client → planner → worker service → judge → reply,
// separate processes) and scores the answers. Prints one JSON line last.
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openClassifierStore, parseTrainingRows, trainClassifier } from '@troupe/classify';
import { launchService } from '@troupe/cli';
import { createTroupeClient } from '@troupe/client';
import { createLlamaEmbeddingModel, resolveModelsDirectory } from '@troupe/llama';
import { connectNats } from '@troupe/transport';
import { startNatsServer } from '@troupe/testing';
import { percentile, round } from './stats.js';

const { values } = parseArgs({
  options: {
    train: { type: 'string' },
    test: { type: 'string' },
    limit: { type: 'string' },
    seed: { type: 'string', default: '7' },
    'target-precision': { type: 'string', default: '0.97' },
  },
});
if (!values.train || !values.test) {
  process.stderr.write('usage: npm run bench:classify -- --train <rows.jsonl> --test <rows.jsonl> [--limit n]\n');
  process.exit(2);
}
const trainRows = parseTrainingRows(readFileSync(values.train, 'utf8'), values.train);
const testRows = parseTrainingRows(readFileSync(values.test, 'utf8'), values.test).slice(0, values.limit ? Number(values.limit) : undefined);
const embedding = { id: 'all-minilm-l6-v2', provider: 'llama-cpp' as const, path: 'all-MiniLM-L6-v2-F16.gguf', contextSize: 512, capabilities: ['embedding' as const], maxQueue: 256, timeoutMs: 600_000 };

const trainStarted = performance.now();
const artifact = await (async () => {
  await using embedder = await createLlamaEmbeddingModel(embedding, { modelsDirectory: resolveModelsDirectory(undefined) });
  return await trainClassifier(trainRows, {
    name: 'bench',
    embedder,
    seed: Number(values.seed),
    targetPrecision: Number(values['target-precision']),
    onProgress: (stage, done, total) => {
      if (stage !== 'embed' || done % 2048 < 64 || done === total) process.stderr.write(`${stage} ${done}/${total}\n`);
    },
  });
})();
const trainSeconds = (performance.now() - trainStarted) / 1000;

const directory = mkdtempSync(join(tmpdir(), 'troupe-classify-bench-'));
const registry = join(directory, 'models.json');
writeFileSync(
  registry,
  JSON.stringify({ models: [embedding, { id: 'classifier', provider: 'classifier', skills: ['classify'], capabilities: ['json'], classifier: { name: 'bench', embeddingModel: embedding.id } }] }),
);
const pipelines = join(directory, 'pipelines.json');
writeFileSync(pipelines, JSON.stringify([{ name: 'classify-only', nodes: [{ id: 'classify', skill: 'classify', model: 'classifier', checks: ['schema'], outputSchema: { type: 'object', properties: { label: { type: 'string' } }, required: ['label'] } }] }]));

const server = await startNatsServer();
const connection = await connectNats({ servers: server.url });
const env = {
  TROUPE_NATS_URL: server.url,
  TROUPE_MODELS_CONFIG: registry,
  TROUPE_PIPELINES: pipelines,
  TROUPE_SKILLS: 'classify',
  TROUPE_LOG_LEVEL: 'warn',
  TROUPE_DURABLE: 'false',
};
const services: Awaited<ReturnType<typeof launchService>>[] = [];
try {
  await (await openClassifierStore(connection)).deploy(artifact);
  services.push(await launchService('judge', env), await launchService('worker', env), await launchService('planner', env));
  const client = createTroupeClient({ connection, timeoutMs: 60_000 });
  for (const row of testRows.slice(0, 20)) await client.run({ pipeline: 'classify-only', input: row.text });

  const latencies: number[] = [];
  const outcomes: { gold: string; predicted: string; covered: boolean }[] = [];
  let failed = 0;
  for (const row of testRows) {
    const started = performance.now();
    const result = await client.run({ pipeline: 'classify-only', input: row.text });
    latencies.push(performance.now() - started);
    if (result.status !== 'completed') {
      failed += 1;
      continue;
    }
    const output = result.output as { label: string; covered: boolean };
    outcomes.push({ gold: row.label, predicted: output.label, covered: output.covered });
  }
  const correct = outcomes.filter((outcome) => outcome.predicted === outcome.gold).length;
  const covered = outcomes.filter((outcome) => outcome.covered);
  const result = {
    bench: 'classify',
    processes: 'nats-server + planner + worker + judge + client, each its own process (in-memory task state)',
    embedding_model: embedding.id,
    kind: artifact.kind,
    c: artifact.training.c,
    train_rows: trainRows.length,
    test_rows: testRows.length,
    failed,
    accuracy: round(correct / testRows.length, 4),
    macro_f1: round(macroF1(outcomes), 4),
    threshold: round(artifact.threshold, 4),
    coverage: round(covered.length / testRows.length, 4),
    accuracy_on_covered: round(covered.filter((outcome) => outcome.predicted === outcome.gold).length / Math.max(1, covered.length), 4),
    cross_validation: artifact.training.crossValidation,
    latency_p50_ms: round(percentile(latencies, 50), 2),
    latency_p99_ms: round(percentile(latencies, 99), 2),
    train_seconds: round(trainSeconds, 1),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await Promise.all(services.map((service) => service.stop()));
  await connection.drain();
  await server.stop();
}

function macroF1(outcomes: readonly { gold: string; predicted: string }[]): number {
  const labels = new Set(outcomes.map((outcome) => outcome.gold));
  let total = 0;
  for (const label of labels) {
    const truePositive = outcomes.filter((outcome) => outcome.gold === label && outcome.predicted === label).length;
    const predicted = outcomes.filter((outcome) => outcome.predicted === label).length;
    const actual = outcomes.filter((outcome) => outcome.gold === label).length;
    const precision = predicted === 0 ? 0 : truePositive / predicted;
    const recall = actual === 0 ? 0 : truePositive / actual;
    total += precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  }
  return total / labels.size;
}
