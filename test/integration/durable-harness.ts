// Shared set-up for the durability tests: a real nats-server, the real planner/worker/judge
// services as OS processes (started, frozen and kill -9'd by the tests), and read-outs of what
// happened: progress events, the task records in KV and the worker ledger of node attempts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/nats-core';
import { launchService, type LaunchedService, type ServiceName } from '@troupe/cli';
import { createTroupeClient } from '@troupe/client';
import { listNodeAttempts, openTaskBucket } from '@troupe/durability';
import type { PipelineDefinitionInput, ProgressEvent } from '@troupe/protocol';
import type { TaskRecord } from '@troupe/runtime';
import { connectNats } from '@troupe/transport';
import { startNatsServer, type NatsServer } from '@troupe/testing';

/** Root, six parallel branches, a join and a tail: parallel branches in flight when a planner dies. */
export const widePipeline: PipelineDefinitionInput = {
  name: 'wide',
  nodes: [
    { id: 'root', skill: 'extract' },
    ...['b1', 'b2', 'b3', 'b4', 'b5', 'b6'].map((id) => ({ id, skill: 'classify', dependsOn: ['root'] })),
    { id: 'join', skill: 'summarize', dependsOn: ['b1', 'b2', 'b3', 'b4', 'b5', 'b6'] },
    { id: 't1', skill: 'generate', dependsOn: ['join'] },
    { id: 't2', skill: 'generate', dependsOn: ['t1'] },
    { id: 't3', skill: 'generate', dependsOn: ['t2'] },
  ],
};

export interface HarnessOptions {
  pipelines?: PipelineDefinitionInput[];
  /** Environment for every service (on top of the defaults below). */
  env?: Record<string, string>;
}

export interface TaskEvents {
  /** Every event of every task, in arrival order, with the local receive time. */
  readonly all: Array<ProgressEvent & { receivedAt: number }>;
  of(taskId: string): Array<ProgressEvent & { receivedAt: number }>;
  completed(): Set<string>;
}

export interface Harness {
  readonly server: NatsServer;
  readonly connection: NatsConnection;
  readonly env: Record<string, string>;
  readonly events: TaskEvents;
  launch(name: ServiceName, env?: Record<string, string>): Promise<LaunchedService>;
  /** Submits through `tasks.submit`, retrying (same id) until accepted: a planner may be dead or restarting. */
  submit(ids: readonly string[], pipeline?: string): Promise<void>;
  /** Waits until every task's record is final (completed or failed) and returns the records. */
  waitForFinal(ids: readonly string[], timeoutMs: number): Promise<Map<string, TaskRecord>>;
  record(taskId: string): Promise<TaskRecord | undefined>;
  attempts(): ReturnType<typeof listNodeAttempts>;
  /** Launched planners (judges) that have not exited. */
  runningPlanners(): Promise<LaunchedService[]>;
  runningJudges(): Promise<LaunchedService[]>;
  stop(): Promise<void>;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const directory = mkdtempSync(join(tmpdir(), 'troupe-durable-'));
  const registry = join(directory, 'models.json');
  writeFileSync(registry, JSON.stringify({ models: [{ id: 'echo', provider: 'echo' }] }));
  const pipelines = join(directory, 'pipelines.json');
  writeFileSync(pipelines, JSON.stringify(options.pipelines ?? [widePipeline]));
  const server = await startNatsServer({ storeDirectory: join(directory, 'jetstream') });
  const env: Record<string, string> = {
    TROUPE_NATS_URL: server.url,
    TROUPE_MODELS_CONFIG: registry,
    TROUPE_PIPELINES: pipelines,
    TROUPE_LOG_LEVEL: 'warn',
    TROUPE_JUDGE_DEFAULT_CHECKS: 'schema',
    ...options.env,
  };
  const connection = await connectNats({ servers: server.url });
  const services: LaunchedService[] = [];
  const all: Array<ProgressEvent & { receivedAt: number }> = [];
  const decoder = new TextDecoder();
  connection.subscribe('troupe.v1.*.events.>', {
    callback: (_error, message) => {
      const event = JSON.parse(decoder.decode(message.data)) as ProgressEvent;
      if (event.type !== 'node.token') all.push({ ...event, receivedAt: Date.now() });
    },
  });
  await connection.flush();
  const client = createTroupeClient({ connection });
  const bucket = openTaskBucket({ connection });

  const record = async (taskId: string) => {
    return (await (await bucket).get(`default.${taskId}`))?.value;
  };

  return {
    server,
    connection,
    env,
    events: {
      all,
      of: (taskId) => all.filter((event) => event.taskId === taskId),
      completed: () => new Set(all.filter((event) => event.type === 'task.completed').map((event) => event.taskId)),
    },
    async launch(name, extra = {}) {
      const service = await launchService(name, { ...env, ...extra });
      services.push(service);
      return service;
    },
    async submit(ids, pipeline = 'wide') {
      await Promise.all(
        ids.map(async (id) => {
          for (let tries = 0; ; tries += 1) {
            try {
              await client.submit({ id, pipeline, input: `task ${id}` });
              return;
            } catch (error) {
              if (tries > 200) throw error;
              await sleep(100);
            }
          }
        }),
      );
    },
    async waitForFinal(ids, timeoutMs) {
      const records = new Map<string, TaskRecord>();
      await waitUntil(
        async () => {
          for (const id of ids) {
            if (records.has(id)) continue;
            const stored = await record(id).catch(() => undefined);
            if (stored?.status === 'completed' || stored?.status === 'failed') records.set(id, stored);
          }
          return records.size === ids.length;
        },
        timeoutMs,
        `${ids.length} tasks to finish (${records.size} did)`,
      );
      return records;
    },
    record,
    attempts: () => listNodeAttempts(connection),
    runningPlanners: async () => services.filter((service) => service.name === 'planner' && service.process.exitCode === null && service.process.signalCode === null),
    runningJudges: async () => services.filter((service) => service.name === 'judge' && service.process.exitCode === null && service.process.signalCode === null),
    async stop() {
      await Promise.all(services.map((service) => service.stop('SIGKILL')));
      await connection.drain().catch(() => undefined);
      await server.stop();
    },
  };
}

/** Sends a signal to a launched service and resolves when it has exited (SIGKILL: a real `kill -9`). */
export async function kill(service: LaunchedService, signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
  return service.stop(signal);
}
