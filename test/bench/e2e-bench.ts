// bench:e2e — the cost/quality claim measured through the runtime: every row of --data runs as a
// real task through nats-server, planner, worker (replay models) and judge, each its own process.
// The cascade policy is trained on --train only (cost weight by cross-validation there) and deployed
// to NATS KV as `troupe router deploy` does; the planner gives each node its skill's deployed cascade
// and runs it step by step. Prints one JSON line last.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { launchService, type LaunchedService } from '@troupe/cli';
import { createTroupeClient } from '@troupe/client';
import type { TaskResult } from '@troupe/protocol';
import { REPLAY_PRICING, replayModelId } from '@troupe/replay';
import { RegistryConfig } from '@troupe/models';
import { createRouter, openRouterStore, parseOutcomeJsonl, policyGroup, replaySteps, trainCascadePolicy, type OutcomeRow, type PolicyStep } from '@troupe/router';
import { startNatsServer } from '@troupe/testing';
import { connectNats } from '@troupe/transport';
import { round } from './stats.js';

const dataDir = process.env.TROUPE_DATA_DIR ? resolve(process.env.TROUPE_DATA_DIR) : resolve(import.meta.dirname, '../../../shared/data');
const fromUser = (path: string) => resolve(process.env.INIT_CWD ?? process.cwd(), path);
const { values } = parseArgs({
  options: {
    data: { type: 'string', default: join(dataDir, 'routing', 'dev.jsonl') },
    train: { type: 'string', default: join(dataDir, 'routing', 'train.jsonl') },
    'cost-share': { type: 'string', default: '0.2' },
    inflight: { type: 'string', default: '16' },
    limit: { type: 'string' },
    /** Only rows of this task (e.g. `winogrande`), for a quick look at one cascade. */
    task: { type: 'string' },
  },
});
const log = (message: string) => void process.stderr.write(`[bench:e2e] ${message}\n`);
const dataPath = fromUser(values.data);
const trainPath = fromUser(values.train);
const trainRows = parseOutcomeJsonl(readFileSync(trainPath, 'utf8'));
const allRows = parseOutcomeJsonl(readFileSync(dataPath, 'utf8'));
const policy = trainCascadePolicy(trainRows, { costShare: Number(values['cost-share']) });
const rows = allRows.filter((row) => values.task === undefined || row.task === values.task).filter((row) => policy.models.every((model) => row.outcomes[model] && row.responses?.[model] !== undefined)).slice(0, values.limit ? Number(values.limit) : undefined);
log(`trained on ${policy.trainedOn.rows} rows (cost weight ${policy.costWeight}); running ${rows.length} of ${allRows.length} rows`);

const skillOf = (row: OutcomeRow) => (row.task && /^[a-z][a-z0-9-]*$/.test(row.task) ? row.task : 'answer');
const stepsOf = (row: OutcomeRow): PolicyStep[] => policy.groups[policyGroup(policy.groups, row.task)] as PolicyStep[];
const directory = mkdtempSync(join(tmpdir(), 'troupe-e2e-'));
const registry = join(directory, 'models.json');
// Replay models answer from the rows of --data; the runtime never sees the recorded scores.
const registryConfig = { models: policy.models.map((model) => ({ id: replayModelId(model), provider: 'replay' as const, model, path: dataPath, pricing: REPLAY_PRICING, maxConcurrency: 64, maxQueue: 1024 })) };
writeFileSync(registry, JSON.stringify(registryConfig));
const skills = [...new Set([...rows.map(skillOf), 'answer'])];

const server = await startNatsServer();
const env = {
  TROUPE_NATS_URL: server.url,
  TROUPE_MODELS_CONFIG: registry,
  TROUPE_SKILLS: skills.join(','),
  TROUPE_ROUTING: 'router',
  TROUPE_ROUTER_STATE: 'kv',
  TROUPE_BUDGETS: 'false',
  TROUPE_BREAKERS: 'memory',
  TROUPE_LOG_LEVEL: process.env.TROUPE_LOG_LEVEL ?? 'warn',
  TROUPE_PLANNER_CONCURRENCY: '64',
};
const connection = await connectNats({ servers: server.url });
const services: LaunchedService[] = [];
try {
  // Deploy the policy as `troupe router deploy` does. Every row's skill has a cascade, so the N-way
  // router itself (deployed untrained here) never picks a model in this bench.
  const models = RegistryConfig.parse(registryConfig).models;
  const store = await openRouterStore(connection, { models });
  const deployed = await store.deploy({ kind: 'troupe.router-artifact', trainedAt: new Date().toISOString(), data: basename(trainPath), router: createRouter({ models }).toJSON() as unknown as Record<string, unknown>, cascades: policy });
  log(`deployed the policy to NATS KV as router version ${deployed.version}`);
  // Generous readiness: on a loaded machine a service takes a while to import its TypeScript.
  const ready = { readyTimeoutMs: 180_000 };
  services.push(await launchService('judge', env, ready), await launchService('worker', env, ready), await launchService('planner', env, ready));
  const client = createTroupeClient({ connection, timeoutMs: 60_000 });
  const started = performance.now();
  const results: Array<{ row: OutcomeRow; result?: TaskResult; error?: string }> = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Number(values.inflight) }, async () => {
      while (next < rows.length) {
        const row = rows[next] as OutcomeRow;
        next += 1;
        try {
          // No model and no cascade in the plan: the planner applies the skill's deployed cascade.
          const node = { id: 'answer', skill: skillOf(row), timeoutMs: 30_000 };
          const result = await client.run({ plan: { name: 'row', nodes: [node] }, input: row.prompt });
          results.push({ row, result });
        } catch (error) {
          results.push({ row, error: error instanceof Error ? error.message : String(error) });
        }
      }
    }),
  );
  const wallSeconds = (performance.now() - started) / 1000;
  const byId = new Map(policy.models.map((model) => [replayModelId(model), model]));
  const best = [...policy.models].sort((left, right) => mean(rows, right, 'score') - mean(rows, left, 'score'))[0] as string;
  const bestQuality = sum(rows, best, 'score');
  const bestCost = sum(rows, best, 'costUsd');
  let quality = 0;
  let cost = 0;
  let calls = 0;
  let offlineQuality = 0;
  let offlineCost = 0;
  let completed = 0;
  const failures: string[] = [];
  for (const { row, result, error } of results) {
    const offline = replaySteps(row, stepsOf(row));
    offlineQuality += offline.score;
    offlineCost += offline.cost;
    if (result) {
      cost += result.costUsd;
      calls += result.nodes[0]?.calls?.length ?? 0;
    }
    if (result?.status === 'completed') {
      completed += 1;
      const accepted = byId.get(result.nodes[0]?.model ?? '');
      quality += accepted ? (row.outcomes[accepted]?.score ?? 0) : 0;
    } else if (failures.length < 3) failures.push(error ?? JSON.stringify(result?.error));
  }
  const line = {
    bench: 'e2e',
    data: basename(dataPath),
    train: basename(trainPath),
    processes: 'nats-server + planner + worker (replay models) + judge + client, each its own process',
    rows: rows.length,
    completed,
    failed: rows.length - completed,
    best_single: best,
    quality_vs_best: round(quality / bestQuality, 4),
    cost_vs_best: round(cost / bestCost, 4),
    offline: { quality_vs_best: round(offlineQuality / bestQuality, 4), cost_vs_best: round(offlineCost / bestCost, 4) },
    calls_per_task: round(calls / Math.max(1, results.length), 3),
    wall_seconds: round(wallSeconds, 2),
    tasks_per_second: round(results.length / wallSeconds, 1),
    policy: { cost_weight: policy.costWeight, cost_share: policy.costShare, cascades: Object.fromEntries(Object.entries(policy.groups).map(([group, steps]) => [group, steps.map((step) => (step.consensusWith ? `${step.model} =? ${step.consensusWith}` : step.model)).join(' > ')])) },
    ...(failures.length > 0 ? { first_failures: failures } : {}),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
} finally {
  await connection.drain();
  await Promise.all(services.map((service) => service.stop()));
  await server.stop();
}

function sum(rows: readonly OutcomeRow[], model: string, field: 'score' | 'costUsd'): number {
  return rows.reduce((total, row) => total + (row.outcomes[model]?.[field] ?? 0), 0);
}
function mean(rows: readonly OutcomeRow[], model: string, field: 'score' | 'costUsd'): number {
  return sum(rows, model, field) / Math.max(1, rows.length);
}
