// npm run soak [-- --tasks 100000 --warmup 12000 --inflight 64 --durable true]: a long run of tasks through the
// planner, worker and judge processes (echo model), watching each process's resident memory.
// RSS is taken after the warm-up (caches full: the worker's idempotency cache and the planner's
// task store hold 10,000 entries each) and at the end; growth beyond 5% suggests a leak.
// Prints one JSON line last; exits 1 if a task failed, a service died or memory grew ≥ 5%.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createTroupeClient } from '@troupe/client';
import { connectNats } from '@troupe/transport';
import { startEchoCluster } from './echo-cluster.js';
import { percentile, round } from './stats.js';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '100000' },
    warmup: { type: 'string', default: '12000' },
    inflight: { type: 'string', default: '64' },
    /** `false` runs the services without JetStream (TROUPE_DURABLE=false), to tell the two apart. */
    durable: { type: 'string', default: 'true' },
  },
});
const taskCount = Number(values.tasks);
const warmupCount = Math.min(Number(values.warmup), Math.max(1, Math.floor(taskCount / 2)));
const inFlight = Number(values.inflight);

/** Resident set size of a process in MiB, from /proc (Linux). */
function rssMiB(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1_024 : Number.NaN;
}

const cluster = await startEchoCluster({ env: { TROUPE_DURABLE: values.durable === 'false' ? 'false' : 'true' } });
const connection = await connectNats({ servers: cluster.server.url });
const client = createTroupeClient({ connection, tenant: 'soak', timeoutMs: 60_000 });
const processes = [...cluster.services.map((service) => ({ name: service.name as string, pid: service.process.pid })), { name: 'nats-server', pid: cluster.server.process.pid }];
const peak = new Map<string, number>();
const sampler = setInterval(() => {
  for (const { name, pid } of processes) peak.set(name, Math.max(peak.get(name) ?? 0, rssMiB(pid)));
}, 1_000);

let failed = 0;
const run = async (count: number, latencies?: number[]) => {
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        const index = next;
        next += 1;
        const started = performance.now();
        // Three single-node tasks to one three-node chain: every actor and every hop gets traffic.
        const result = await client.run({ pipeline: index % 4 === 3 ? 'noop-chain' : 'noop', input: `soak ${index}` }).catch(() => undefined);
        latencies?.push(performance.now() - started);
        if (result?.status !== 'completed') failed += 1;
      }
    }),
  );
};

let exitCode = 0;
try {
  await run(warmupCount);
  await new Promise((resolve) => setTimeout(resolve, 2_000)); // let the last replies and timers settle
  const afterWarmup = Object.fromEntries(processes.map(({ name, pid }) => [name, rssMiB(pid)]));
  const latencies: number[] = [];
  const started = performance.now();
  await run(taskCount, latencies);
  const seconds = (performance.now() - started) / 1_000;
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const atEnd = Object.fromEntries(processes.map(({ name, pid }) => [name, rssMiB(pid)]));
  const services = cluster.services.map(({ name }) => ({
    name,
    rss_after_warmup_mib: round(afterWarmup[name]!, 1),
    rss_end_mib: round(atEnd[name]!, 1),
    rss_peak_mib: round(peak.get(name) ?? Number.NaN, 1),
    growth_pct: round((100 * (atEnd[name]! - afterWarmup[name]!)) / afterWarmup[name]!, 2),
  }));
  const crashes = cluster.unexpectedExits().length;
  const maxGrowth = Math.max(...services.map((service) => service.growth_pct));
  const ok = failed === 0 && crashes === 0 && maxGrowth < 5;
  exitCode = ok ? 0 : 1;
  const result = {
    bench: 'soak',
    durable: values.durable !== 'false',
    tasks: taskCount,
    warmup_tasks: warmupCount,
    inflight: inFlight,
    failed,
    crashes,
    tasks_per_second: round(taskCount / seconds, 0),
    task_ms: { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)) },
    duration_s: round(seconds, 1),
    services,
    max_growth_pct: maxGrowth,
    nats_server_rss_mib: { after_warmup: round(afterWarmup['nats-server']!, 1), end: round(atEnd['nats-server']!, 1) },
    ok,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  clearInterval(sampler);
  await connection.drain();
  await cluster.stop();
}
process.exit(exitCode);
