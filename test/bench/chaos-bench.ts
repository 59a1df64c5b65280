// chaos — "no task lost when any process or the NATS server dies". Submits N tasks (default 1,000)
// through `tasks.submit` while repeatedly kill -9'ing random planner, worker and judge replicas
// (each restarted at once) and the nats-server itself (restarted on the same store). Then audits
// every task record and the worker ledger of node attempts. Prints one JSON line last.
//
//   npm run chaos                      single nats-server
//   npm run chaos -- --cluster         3-node JetStream cluster (R3), killing one cluster node at a time
//   npm run chaos -- --scenario kill-after-call   workers die between the model call and storing its result
//   npm run chaos -- --scenario store-outage      the nats-server (the store) is down longer than a node's lease
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { launchService, type LaunchedService, type ServiceName } from '@troupe/cli';
import { listDeadLetters, listNodeAttempts, listTaskRecords } from '@troupe/durability';
import { subjects, type ProgressEvent } from '@troupe/protocol';
import { connectNats, requestJson } from '@troupe/transport';
import { startNatsCluster, startNatsServer, type NatsServer } from '@troupe/testing';
import { percentile, round } from './stats.js';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '1000' },
    'submit-seconds': { type: 'string', default: '60' },
    burst: { type: 'string', default: '25' },
    'chaos-interval-ms': { type: 'string', default: '2000' },
    'timeout-s': { type: 'string', default: '240' },
    cluster: { type: 'boolean', default: false },
    seed: { type: 'string', default: '7' },
    scenario: { type: 'string', default: 'random' },
    'outage-ms': { type: 'string', default: '5000' },
    outages: { type: 'string', default: '4' },
  },
});
const scenario = values.scenario ?? 'random';
if (!['random', 'kill-after-call', 'store-outage'].includes(scenario)) throw new Error(`unknown --scenario ${scenario}`);
// A node's lease is its timeout (2 s below) + 1 s: an outage longer than that outlives every claim.
const outageMs = Number(values['outage-ms']);
const taskCount = Number(values.tasks);
const submitSeconds = Number(values['submit-seconds']);
const chaosIntervalMs = Number(values['chaos-interval-ms']);
const cluster = values.cluster ?? false;

// Deterministic chaos schedule (mulberry32), so runs are comparable.
let seed = Number(values.seed) >>> 0;
const random = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let value = seed;
  value = Math.imul(value ^ (value >>> 15), value | 1);
  value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
  return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
};
const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line: string) => process.stderr.write(`[chaos ${new Date().toISOString().slice(11, 23)}] ${line}\n`);

const directory = mkdtempSync(join(tmpdir(), 'troupe-chaos-'));
const registry = join(directory, 'models.json');
writeFileSync(registry, JSON.stringify({ models: [{ id: 'echo', provider: 'echo' }] }));
const pipelines = join(directory, 'pipelines.json');
// Three parallel branches, a join and a tail of three: long enough that a killed planner holds
// tasks mid-DAG. Short node timeouts, so a request lost with a killed worker is retried quickly.
const node = (id: string, dependsOn: string[], skill: string) => ({ id, skill, dependsOn, timeoutMs: 2_000, maxAttempts: 4 });
const chaosNodes = [
  node('root', [], 'extract'),
  node('b1', ['root'], 'classify'),
  node('b2', ['root'], 'classify'),
  node('b3', ['root'], 'classify'),
  node('join', ['b1', 'b2', 'b3'], 'summarize'),
  node('t1', ['join'], 'generate'),
  node('t2', ['t1'], 'generate'),
  node('t3', ['t2'], 'generate'),
];
writeFileSync(pipelines, JSON.stringify([{ name: 'chaos', nodes: chaosNodes }]));

// --- the cluster under test ---------------------------------------------------------------
const servers: NatsServer[] = [];
let natsUrl: string;
let stopNats: () => Promise<void>;
if (cluster) {
  const started = await startNatsCluster(3);
  servers.push(...started.servers);
  natsUrl = started.url;
  stopNats = () => started.stop();
} else {
  const server = await startNatsServer({ storeDirectory: join(directory, 'jetstream') });
  servers.push(server);
  natsUrl = server.url;
  stopNats = () => server.stop();
}
const env = {
  TROUPE_NATS_URL: natsUrl,
  TROUPE_MODELS_CONFIG: registry,
  TROUPE_PIPELINES: pipelines,
  TROUPE_LOG_LEVEL: 'warn',
  TROUPE_JUDGE_DEFAULT_CHECKS: 'schema',
  TROUPE_REQUEST_MARGIN_MS: '500',
  TROUPE_JUDGE_TIMEOUT_MS: '2000',
  TROUPE_JETSTREAM_REPLICAS: cluster ? '3' : '1',
};
let deadline = Date.now() + Number(values['timeout-s']) * 1_000;
const replicas: Record<ServiceName, Array<LaunchedService | undefined>> = { planner: [undefined, undefined], worker: [undefined, undefined], judge: [undefined, undefined] };
let stopping = false;
const selfKills = { worker_after_call: 0 };
const launch = async (name: ServiceName, slot: number) => {
  for (let tries = 0; ; tries += 1) {
    try {
      // kill-after-call: worker #0 dies right after its Nth model call (N drawn per launch), before storing it;
      // worker #1 stays up, as the random scenario never kills the last replica standing.
      const fault = scenario === 'kill-after-call' && name === 'worker' && slot === 0 ? { TROUPE_CHAOS_KILL_AFTER_CALL: String(20 + Math.floor(random() * 60)) } : {};
      const service = await launchService(name, { ...env, ...fault, TROUPE_WORKER_ID: `${name}-${slot}-${tries}-${Date.now()}` }, { readyTimeoutMs: 60_000 });
      replicas[name][slot] = service;
      if ('TROUPE_CHAOS_KILL_AFTER_CALL' in fault) {
        service.process.once('exit', () => {
          if (stopping || replicas[name][slot] !== service) return;
          selfKills.worker_after_call += 1;
          replicas[name][slot] = undefined;
          log(`worker #${slot} killed itself after a model call, before storing it`);
          void launch(name, slot).catch((error: unknown) => log(`gave up restarting worker #${slot}: ${String(error).split('\n')[0]}`));
        });
      }
      return;
    } catch (error) {
      // The nats-server may be restarting; a service that cannot connect exits and is started again.
      if (tries % 5 === 4) log(`${name} #${slot} failed to start ${tries + 1} times: ${String(error).split('\n').slice(0, 4).join(' | ')}`);
      if (Date.now() > deadline) throw error;
      await sleep(500);
    }
  }
};
// Whatever happens to this process, it takes its services and servers with it.
process.on('exit', () => {
  for (const service of Object.values(replicas).flat()) service?.process.kill('SIGKILL');
  for (const server of servers) server.process.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
await Promise.all((['judge', 'worker', 'planner'] as const).flatMap((name) => [launch(name, 0), launch(name, 1)]));
log(`cluster up: ${cluster ? '3-node JetStream cluster' : 'nats-server'}, 2 planners, 2 workers, 2 judges`);

const connection = await connectNats({ servers: natsUrl.split(','), name: 'chaos-bench' });
const accepted = new Map<string, number[]>(); // task → times of its task.accepted events (a resume re-announces it)
const finishedAt = new Map<string, number>();
const decoder = new TextDecoder();
connection.subscribe('troupe.v1.*.events.>', {
  callback: (_error, message) => {
    const event = JSON.parse(decoder.decode(message.data)) as ProgressEvent;
    if (event.type === 'task.accepted') accepted.set(event.taskId, [...(accepted.get(event.taskId) ?? []), Date.now()]);
    else if (event.type === 'task.completed' || event.type === 'task.failed') finishedAt.set(event.taskId, Date.now());
  },
});

// --- submissions: spread over the chaos period, each retried with its id until accepted -----
const ids = Array.from({ length: taskCount }, (_, index) => `chaos-${index}`);
const submitted = new Set<string>();
let submitRetries = 0;
const submitErrors = new Map<string, number>();
const startedAt = Date.now();
deadline = startedAt + Number(values['timeout-s']) * 1_000;
const submitting = (async () => {
  // In bursts, as real traffic comes: a burst keeps both planners busy for a moment, so kills land mid-DAG.
  const burst = Math.max(1, Number(values.burst));
  const gap = (submitSeconds * 1_000 * burst) / taskCount;
  await Promise.all(
    ids.map(async (id, index) => {
      await sleep(Math.floor(index / burst) * gap);
      for (;;) {
        try {
          await requestJson(connection, subjects.taskSubmit('default'), { id, pipeline: 'chaos', input: `chaos task ${index}` }, { timeoutMs: 3_000 });
          submitted.add(id);
          return;
        } catch (error) {
          submitRetries += 1; // planner killed or nats-server restarting: same id again, deduplicated
          submitErrors.set(String((error as { code?: string }).code), (submitErrors.get(String((error as { code?: string }).code)) ?? 0) + 1);
          if (Date.now() > deadline) return;
          await sleep(200);
        }
      }
    }),
  );
})();

// --- chaos: kill -9 a random replica (restarted at once) or the nats-server ------------------
const kills = { planner: 0, worker: 0, judge: 0, nats: 0 };
const plannerKills: number[] = [];
const natsRestarts: number[] = [];
let chaosOn = true;
const chaos = (async () => {
  while (chaosOn) {
    await sleep(chaosIntervalMs * (0.5 + random()));
    if (!chaosOn) break;
    if (scenario === 'kill-after-call') continue; // the workers kill themselves
    if (scenario === 'store-outage') {
      // A bounded number of outages, then the work must settle: the audit is about what they did.
      if (kills.nats >= Number(values.outages)) continue;
      // The store is unreachable past every lease; workers finishing calls meanwhile must not be re-run unseen.
      const server = pick(servers);
      natsRestarts.push(Date.now());
      kills.nats += 1;
      await server.kill('SIGKILL');
      log(`store outage: nats-server :${server.port} down for ${outageMs} ms`);
      await sleep(outageMs);
      await server.restart();
      await sleep(chaosIntervalMs * 2); // let the work resume before the next outage
      continue;
    }
    const target = pick(['planner', 'planner', 'worker', 'judge', 'planner', 'worker', 'judge', 'nats'] as const);
    if (target === 'nats') {
      const server = pick(servers);
      natsRestarts.push(Date.now());
      kills.nats += 1;
      await server.kill('SIGKILL');
      log(`kill -9 nats-server :${server.port}`);
      await sleep(cluster ? 1_000 : 300);
      await server.restart();
      continue;
    }
    // Random replicas die, never the last one standing: its sibling must be up (not restarting).
    const slot = Math.floor(random() * 2);
    const victim = replicas[target][slot];
    if (!victim || !replicas[target][1 - slot]) continue;
    replicas[target][slot] = undefined;
    if (target === 'planner') plannerKills.push(Date.now());
    kills[target] += 1;
    await victim.stop('SIGKILL');
    log(`kill -9 ${target} #${slot} (pid ${victim.process.pid})`);
    void launch(target, slot).catch((error: unknown) => log(`gave up restarting ${target} #${slot}: ${String(error).split('\n')[0]}`));
  }
})();

// --- wait for every accepted task to be final in the store, or give up at the deadline -----
const progress = setInterval(() => log(`submitted ${submitted.size}, finished ${finishedAt.size}, submit errors ${JSON.stringify(Object.fromEntries(submitErrors))}`), 5_000);
await submitting;
log(`all ${submitted.size} submitted (${submitRetries} retried submissions)`);
let records = await listTaskRecords({ connection }).catch(() => []);
const final = () => records.filter((record) => record.status === 'completed' || record.status === 'failed');
while (Date.now() < deadline) {
  const listStarted = Date.now();
  records = await listTaskRecords({ connection, timeoutMs: 10_000 }).catch((error: unknown) => {
    log(`could not list task records: ${String(error)}`);
    return records;
  });
  const done = final().filter((record) => submitted.has(record.task.id)).length;
  if (done === submitted.size) break;
  if (finishedAt.size >= submitted.size) log(`${done} of ${submitted.size} records final (read in ${Date.now() - listStarted} ms)`);
  // Keep the chaos going while most of the work is still in flight, then let the rest settle.
  if (done > submitted.size * 0.9) chaosOn = false;
  await sleep(1_000);
}
chaosOn = false;
await chaos;
clearInterval(progress);
const elapsedS = (Date.now() - startedAt) / 1_000;
await sleep(500);
const retrying = async <T>(what: string, read: () => Promise<T>): Promise<T> => {
  for (let tries = 1; ; tries += 1) {
    try {
      return await read();
    } catch (error) {
      if (tries >= 5) throw error;
      log(`reading ${what} failed (${String(error)}); again`);
      await sleep(1_000);
    }
  }
};
records = await retrying('task records', () => listTaskRecords({ connection }));
const byId = new Map(records.map((record) => [record.task.id, record]));
const attempts = await retrying('node attempts', () => listNodeAttempts(connection));
const deadLetters = await retrying('dead letters', () => listDeadLetters(connection, { limit: Number.MAX_SAFE_INTEGER }));

// --- audit -------------------------------------------------------------------------------
let completed = 0;
const failures: Record<string, number> = {};
const lostIds: string[] = [];
for (const id of submitted) {
  const record = byId.get(id);
  if (record?.status === 'completed') completed += 1;
  else if (record?.status === 'failed') {
    const code = record.result?.error?.code ?? 'UNKNOWN';
    failures[code] = (failures[code] ?? 0) + 1;
    if (failures[code] === 1) log(`first ${code} failure: ${id}: ${record.result?.error?.message}`);
  } else lostIds.push(id);
}
// Re-executions: every start of an attempt after its first, recorded before the model call, so it
// includes calls that finished and were never stored (a worker killed after the call, the store
// down past the lease). Counted as executed twice: nothing proves the earlier run had not finished.
const reExecutions = attempts.reduce((sum, attempt) => sum + Math.max(0, (attempt.starts ?? 1) - 1), 0);
// Paid twice as seen by the end records alone (the earlier, lower count): two stored results.
const executedTwiceStored = attempts.reduce((sum, attempt) => sum + Math.max(0, attempt.executions - 1), 0);
// A run that started and never ended (no result stored, lease not released by a failure) whose node
// then ran as a later attempt: the planner's retry re-executed it under a new attempt number.
const nodeKey = (attempt: { tenant: string; taskId: string; nodeId: string }) => `${attempt.tenant}.${attempt.taskId}.${attempt.nodeId}`;
const latestAttempt = new Map<string, number>();
for (const attempt of attempts) latestAttempt.set(nodeKey(attempt), Math.max(latestAttempt.get(nodeKey(attempt)) ?? 0, attempt.attempt));
const unstoredRerun = attempts.filter((attempt) => attempt.state === 'running' && attempt.leaseUntil > 0 && attempt.attempt < (latestAttempt.get(nodeKey(attempt)) ?? 0)).length;
const executedTwice = attempts.reduce((sum, attempt) => sum + Math.max(0, (attempt.starts ?? 1) - 1, attempt.executions - 1), 0) + unstoredRerun;
// Wasted: a finished attempt newer than the attempt the task's record settled on (a dead planner
// had moved on to it, unrecorded). Counted separately: it is not the same attempt paid twice.
const orphans = attempts.filter((attempt) => {
  const report = byId.get(attempt.taskId)?.result?.nodes.find((candidate) => candidate.nodeId === attempt.nodeId);
  return attempt.state === 'done' && report !== undefined && attempt.attempt > report.attempts;
});
const orphaned = orphans.length;
for (const orphan of orphans.slice(0, 5)) {
  const record = byId.get(orphan.taskId);
  const report = record?.result?.nodes.find((candidate) => candidate.nodeId === orphan.nodeId);
  log(`orphaned attempt ${orphan.taskId}/${orphan.nodeId}#${orphan.attempt} (task ${record?.status} ${record?.result?.error?.code ?? ''}, node ${report?.status} at attempt ${report?.attempts})`);
}
// Resume time: a resumed task is announced again (`task.accepted`) by the replica that took it
// over. For each re-announcement with a planner kill since the previous one, the time from the
// kill to it. `isolated`: exactly one planner kill in between and no nats-server restart from 3 s
// before the kill to the re-announcement, so the kill is unambiguously the cause. `all` keeps
// every sample, timed from the earliest kill in between (an upper bound).
const resumes: number[] = [];
const allResumes: number[] = [];
for (const times of accepted.values()) {
  for (let index = 1; index < times.length; index += 1) {
    const previous = times[index - 1]!;
    const again = times[index]!;
    const killsBetween = plannerKills.filter((at) => at > previous && at < again);
    if (killsBetween.length === 0) continue;
    const killedAt = killsBetween[0]!;
    allResumes.push(again - killedAt);
    const restarted = natsRestarts.some((at) => at > killedAt - 3_000 && at < again);
    if (killsBetween.length === 1 && !restarted) resumes.push(again - killedAt);
  }
}
log(`${plannerKills.length} planner kills; ${allResumes.length} tasks resumed after one (${resumes.length} isolated)`);
const summary = (samples: number[]) => ({ samples: samples.length, p50: round(percentile(samples, 50), 0), p99: round(percentile(samples, 99), 0), max: samples.length ? Math.max(...samples) : null });

await connection.drain();
stopping = true;
await Promise.all(Object.values(replicas).flat().map((service) => service?.stop('SIGKILL')));
await stopNats();

const result = {
  bench: 'chaos',
  topology: cluster ? '3-node JetStream cluster (R3 streams and buckets)' : 'single nats-server (file storage)',
  submitted: submitted.size,
  completed,
  failed_with_reason: Object.values(failures).reduce((sum, count) => sum + count, 0),
  failure_reasons: failures,
  dead_lettered: deadLetters.length,
  lost: lostIds.length,
  lost_ids: lostIds.slice(0, 20),
  scenario,
  executed_twice: executedTwice,
  re_executions: reExecutions + unstoredRerun,
  re_executions_same_attempt: reExecutions,
  unstored_then_retried: unstoredRerun,
  executed_twice_stored: executedTwiceStored,
  self_kills: selfKills,
  orphaned_attempts: orphaned,
  node_attempts: attempts.length,
  resume_time_ms: summary(resumes),
  resume_time_ms_all: summary(allResumes),
  kills,
  submit_retries: submitRetries,
  duration_s: round(elapsedS, 1),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(result.lost === 0 && result.executed_twice === 0 ? 0 : 1);
