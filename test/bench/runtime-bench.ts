// bench:runtime — the runtime's own overhead over real NATS between separate processes, with the
// model replaced by an instant echo: (a) raw request/reply RTT, (b) a task through planner → worker
// → judge → reply, sequentially and with 64 in flight. Prints one JSON line last.
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { launchService } from '@troupe/cli';
import { createTroupeClient } from '@troupe/client';
import { connectNats } from '@troupe/transport';
import { startNatsServer } from '@troupe/testing';
import { percentile, round } from './stats.js';

const { values } = parseArgs({
  options: {
    sequential: { type: 'string', default: '2000' },
    concurrent: { type: 'string', default: '10000' },
    inflight: { type: 'string', default: '64' },
    /** JetStream work queue + KV task state + node ledger (the services' default) instead of in-memory state. */
    durable: { type: 'boolean', default: false },
  },
});
const sequentialCount = Number(values.sequential);
const concurrentCount = Number(values.concurrent);
const inFlight = Number(values.inflight);

const directory = mkdtempSync(join(tmpdir(), 'troupe-bench-'));
const registry = join(directory, 'models.json');
writeFileSync(registry, JSON.stringify({ models: [{ id: 'echo', provider: 'echo' }] }));
const pipelines = join(directory, 'pipelines.json');
writeFileSync(
  pipelines,
  JSON.stringify([
    { name: 'noop', nodes: [{ id: 'work', skill: 'generate' }] },
    { name: 'noop-chain', nodes: [{ id: 'a', skill: 'extract' }, { id: 'b', skill: 'classify', dependsOn: ['a'] }, { id: 'c', skill: 'generate', dependsOn: ['b'] }] },
  ]),
);

const server = await startNatsServer();
const env = {
  TROUPE_NATS_URL: server.url,
  TROUPE_MODELS_CONFIG: registry,
  TROUPE_PIPELINES: pipelines,
  TROUPE_LOG_LEVEL: 'warn',
  TROUPE_DURABLE: values.durable ? 'true' : 'false',
};
const services = [await launchService('judge', env), await launchService('worker', env), await launchService('planner', env)];
const connection = await connectNats({ servers: server.url });
const responderConnection = await connectNats({ servers: server.url });

try {
  // (a) raw NATS request/reply, responder on its own connection.
  const responder = responderConnection.subscribe('bench.echo', { callback: (_error, message) => message.respond(message.data) });
  await responderConnection.flush();
  const payload = new TextEncoder().encode('{"ping":true}');
  for (let index = 0; index < 500; index += 1) await connection.request('bench.echo', payload, { timeout: 1_000 });
  const rtts: number[] = [];
  for (let index = 0; index < 5_000; index += 1) {
    const started = performance.now();
    await connection.request('bench.echo', payload, { timeout: 1_000 });
    rtts.push(performance.now() - started);
  }
  responder.unsubscribe();

  const client = createTroupeClient({ connection, timeoutMs: 30_000 });
  const measure = async (pipeline: string, count: number) => {
    for (let index = 0; index < 300; index += 1) await client.run({ pipeline, input: 'warm-up' });
    const latencies: number[] = [];
    for (let index = 0; index < count; index += 1) {
      const started = performance.now();
      const result = await client.run({ pipeline, input: `task ${index}` });
      latencies.push(performance.now() - started);
      if (result.status !== 'completed') throw new Error(`task failed: ${JSON.stringify(result.error)}`);
    }
    return latencies;
  };
  const throughput = async (pipeline: string, count: number) => {
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
    return { tasksPerSecond: round(count / seconds, 0), p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), failed };
  };

  const single = await measure('noop', sequentialCount);
  const singleThroughput = await throughput('noop', concurrentCount);
  const chain = await measure('noop-chain', Math.min(sequentialCount, 1_000));
  const chainThroughput = await throughput('noop-chain', Math.min(concurrentCount, 4_000));

  const result = {
    bench: 'runtime',
    processes: 'nats-server + planner + worker + judge + client, each its own process',
    durable: values.durable,
    raw_rtt_ms: { p50: round(percentile(rtts, 50)), p99: round(percentile(rtts, 99)) },
    task_planner_worker_judge: {
      description: 'client → planner → worker → judge → reply (1 subtask, 3 actors)',
      sequential_ms: { p50: round(percentile(single, 50)), p99: round(percentile(single, 99)) },
      [`inflight_${inFlight}`]: singleThroughput,
    },
    task_3_node_chain: {
      description: 'DAG a → b → c, each node run by a worker and verified by the judge (7 round trips)',
      sequential_ms: { p50: round(percentile(chain, 50)), p99: round(percentile(chain, 99)) },
      [`inflight_${inFlight}`]: chainThroughput,
    },
    task_p50_ms: round(percentile(single, 50)),
    task_p99_ms: round(percentile(single, 99)),
    tasks_per_second: singleThroughput.tasksPerSecond,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await connection.drain();
  await responderConnection.drain();
  await Promise.all(services.map((service) => service.stop()));
  await server.stop();
}
