// bench:runtime — the runtime's own overhead over real NATS between separate processes, with the
// model replaced by an instant echo, in BOTH state modes in one run: `durable` (JetStream KV task
// records + worker node ledger — the services' default) and `memory` (in-process state). For each:
// raw request/reply RTT on the same server, a one-node task (client → planner → worker → judge →
// reply: three hops) sequentially for p50/p99, and tasks/s with 64 in flight. Last line is JSON:
// {"default_mode":"durable","modes":{"memory":{…},"durable":{…}}}.
import { parseArgs } from 'node:util';
import type { NatsConnection } from '@nats-io/nats-core';
import { createTroupeClient, type TroupeClient } from '@troupe/client';
import { connectNats } from '@troupe/transport';
import { startEchoCluster } from './echo-cluster.js';
import { percentile, round } from './stats.js';

const { values } = parseArgs({
  options: {
    sequential: { type: 'string', default: '1000' },
    concurrent: { type: 'string', default: '5000' },
    inflight: { type: 'string', default: '64' },
    /** Only these modes (comma-separated), e.g. `memory` while profiling. */
    modes: { type: 'string', default: 'memory,durable' },
    /** Also measure the three-node chain (a → b → c). */
    chain: { type: 'boolean', default: false },
  },
});
const sequentialCount = Number(values.sequential);
const concurrentCount = Number(values.concurrent);
const inFlight = Number(values.inflight);
/** What `services/planner` runs with unless TROUPE_DURABLE=false. */
const DEFAULT_MODE = 'durable';
/** The hops of a one-node task: client → planner, planner → worker, planner → judge. */
const HOPS = 3;

async function rawRtt(connection: NatsConnection, responderConnection: NatsConnection): Promise<number[]> {
  const responder = responderConnection.subscribe('bench.echo', { callback: (_error, message) => message.respond(message.data) });
  await responderConnection.flush();
  const payload = new TextEncoder().encode('{"ping":true}');
  for (let index = 0; index < 500; index += 1) await connection.request('bench.echo', payload, { timeout: 1_000 });
  const rtts: number[] = [];
  for (let index = 0; index < 3_000; index += 1) {
    const started = performance.now();
    await connection.request('bench.echo', payload, { timeout: 1_000 });
    rtts.push(performance.now() - started);
  }
  responder.unsubscribe();
  return rtts;
}

async function sequential(client: TroupeClient, pipeline: string, count: number): Promise<number[]> {
  for (let index = 0; index < 200; index += 1) await client.run({ pipeline, input: 'warm-up' });
  const latencies: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const started = performance.now();
    const result = await client.run({ pipeline, input: `task ${index}` });
    latencies.push(performance.now() - started);
    if (result.status !== 'completed') throw new Error(`task failed: ${JSON.stringify(result.error)}`);
  }
  return latencies;
}

async function throughput(client: TroupeClient, pipeline: string, count: number) {
  let next = 0;
  let failed = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        next += 1;
        const taskStarted = performance.now();
        const result = await client.run({ pipeline, input: `task ${next}` });
        latencies.push(performance.now() - taskStarted);
        if (result.status !== 'completed') failed += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1_000;
  return { tasks_per_second: round(count / seconds, 0), p50_ms: round(percentile(latencies, 50)), p99_ms: round(percentile(latencies, 99)), failed };
}

async function measureMode(mode: 'memory' | 'durable') {
  await using cluster = await startEchoCluster({ env: { TROUPE_DURABLE: mode === 'durable' ? 'true' : 'false' } });
  const connection = await connectNats({ servers: cluster.server.url });
  const responderConnection = await connectNats({ servers: cluster.server.url });
  try {
    const rtts = await rawRtt(connection, responderConnection);
    const client = createTroupeClient({ connection, timeoutMs: 120_000 });
    const single = await sequential(client, 'noop', sequentialCount);
    const loaded = await throughput(client, 'noop', concurrentCount);
    const chain = values.chain
      ? {
          sequential_ms: percentile(await sequential(client, 'noop-chain', Math.min(sequentialCount, 500)), 50),
          ...(await throughput(client, 'noop-chain', Math.min(concurrentCount, 2_000))),
        }
      : undefined;
    const rawP50 = percentile(rtts, 50);
    const taskP50 = percentile(single, 50);
    return {
      raw_rtt_p50_ms: round(rawP50),
      task_p50_ms: round(taskP50),
      task_p99_ms: round(percentile(single, 99)),
      tasks_per_second: loaded.tasks_per_second,
      ratio_to_raw: round(taskP50 / (HOPS * rawP50), 2),
      raw_rtt_p99_ms: round(percentile(rtts, 99)),
      [`inflight_${inFlight}`]: loaded,
      ...(chain ? { chain_3_nodes: chain } : {}),
    };
  } finally {
    await connection.drain();
    await responderConnection.drain();
  }
}

const modes: Record<string, Awaited<ReturnType<typeof measureMode>>> = {};
for (const mode of values.modes.split(',') as Array<'memory' | 'durable'>) {
  modes[mode] = await measureMode(mode);
  process.stderr.write(`${mode}: ${JSON.stringify(modes[mode])}\n`);
}
// The last line is exactly `{"default_mode","modes"}`; each mode may carry more keys.
process.stdout.write(`${JSON.stringify({ default_mode: DEFAULT_MODE, modes })}\n`);
