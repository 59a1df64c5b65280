// A real Troupe cluster for benches and integration tests: nats-server plus the judge, worker and
// planner as separate OS processes, with the instant echo model, so what is measured or attacked
// is the runtime itself. Watches each service process and records any exit it did not ask for.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchService, type LaunchedService, type ServiceName } from '@troupe/cli';
import { startNatsServer, type NatsServer } from '@troupe/testing';

/** Pipelines every echo cluster registers: one node, and a three-node chain. */
export const echoPipelines = [
  { name: 'noop', nodes: [{ id: 'work', skill: 'generate' }] },
  {
    name: 'noop-chain',
    nodes: [
      { id: 'a', skill: 'extract' },
      { id: 'b', skill: 'classify', dependsOn: ['a'] },
      { id: 'c', skill: 'generate', dependsOn: ['b'] },
    ],
  },
];

export interface UnexpectedExit {
  name: ServiceName;
  code: number | null;
  signal: NodeJS.Signals | null;
  logs: string;
}

export interface EchoCluster extends AsyncDisposable {
  readonly server: NatsServer;
  readonly services: readonly LaunchedService[];
  /** Service processes that exited while they should have been running. */
  unexpectedExits(): UnexpectedExit[];
  /** Everything a service wrote to stderr (its logs) since it started, not only the last 64 KiB. */
  logsOf(name: ServiceName): string;
  /** Stops the services (SIGTERM, graceful drain), then nats-server; returns the exit codes. */
  stop(): Promise<(number | null)[]>;
}

export interface EchoClusterOptions {
  /** An already running nats-server; otherwise one is started (and stopped with the cluster). */
  server?: NatsServer;
  /** Extra environment for every service (log level, payload limit…). */
  env?: NodeJS.ProcessEnv;
  /** Extra environment per service: credentials differ by role. */
  envFor?: (name: ServiceName) => NodeJS.ProcessEnv;
  /** Give the echo model a price, so workers open the budget ledger and shared breakers as with frontier models. */
  pricedModel?: boolean;
}

export async function startEchoCluster(options: EchoClusterOptions = {}): Promise<EchoCluster> {
  const directory = mkdtempSync(join(tmpdir(), 'troupe-echo-cluster-'));
  const registry = join(directory, 'models.json');
  const pricing = options.pricedModel ? { pricing: { inputPerMTok: 0.01, outputPerMTok: 0.01 } } : {};
  writeFileSync(registry, JSON.stringify({ models: [{ id: 'echo', provider: 'echo', ...pricing }] }));
  const pipelines = join(directory, 'pipelines.json');
  writeFileSync(pipelines, JSON.stringify(echoPipelines));
  const server = options.server ?? (await startNatsServer());
  const env: NodeJS.ProcessEnv = {
    TROUPE_NATS_URL: server.url,
    TROUPE_MODELS_CONFIG: registry,
    TROUPE_PIPELINES: pipelines,
    TROUPE_LOG_LEVEL: 'warn',
    // An echo model repeats its input, parents' outputs included: the degeneration gate would fail a
    // chain of echoes by design, so these clusters judge schema and PII only (as the durable harness does).
    TROUPE_JUDGE_DEFAULT_CHECKS: 'schema,pii',
    ...options.env,
  };
  const services: LaunchedService[] = [];
  const exits: UnexpectedExit[] = [];
  const logs = new Map<ServiceName, string[]>();
  let stopping = false;
  try {
    for (const name of ['judge', 'worker', 'planner'] as const) {
      const service = await launchService(name, { ...env, ...options.envFor?.(name) });
      const chunks = [service.logs()];
      logs.set(name, chunks);
      service.process.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
      service.process.once('exit', (code, signal) => {
        if (!stopping) exits.push({ name, code, signal, logs: service.logs() });
      });
      services.push(service);
    }
  } catch (error) {
    await Promise.all(services.map((service) => service.stop('SIGKILL')));
    if (!options.server) await server.stop();
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
  let stopped: Promise<(number | null)[]> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      stopping = true;
      const codes = await Promise.all(services.map((service) => service.stop('SIGTERM')));
      if (!options.server) await server.stop();
      rmSync(directory, { recursive: true, force: true });
      return codes;
    })();
    return stopped;
  };
  return {
    server,
    services,
    unexpectedExits: () => [...exits],
    logsOf: (name) => (logs.get(name) ?? []).join(''),
    stop,
    [Symbol.asyncDispose]: async () => {
      await stop();
    },
  };
}
