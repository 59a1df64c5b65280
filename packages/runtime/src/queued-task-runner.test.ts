import { describe, expect, it } from 'vitest';
import { initialNodeState, type PlannedTask } from '@troupe/planner';
import { ErrorCode, TroupeError, type ErrorReply, type PipelineDefinition, type TaskResult } from '@troupe/protocol';
import { silentLogger } from '@troupe/transport';
import { runQueuedTasks, type TaskHandle } from './queued-task-runner.js';
import type { QueuedTask, TaskDelivery, TaskQueue } from './task-queue.js';
import { supersededError, type TaskRecord } from '@troupe/store-contract';
import { createMemoryTaskStore } from './task-store.js';

const pipeline: PipelineDefinition = {
  name: 'two',
  description: '',
  nodes: [
    { id: 'a', skill: 'extract', dependsOn: [], instructions: '', maxAttempts: 2, timeoutMs: 1_000 },
    { id: 'b', skill: 'extract', dependsOn: ['a'], instructions: '', maxAttempts: 2, timeoutMs: 1_000 },
  ],
};
const task = (id: string): PlannedTask => ({ id, tenant: 'acme', pipeline: 'two', input: 'x', quality: 'balanced', metadata: {} }) as PlannedTask;

interface FakeDelivery extends TaskDelivery {
  outcome: Promise<string>;
}

function deliveryOf(queued: QueuedTask | undefined, deliveryCount = 1): FakeDelivery {
  let settle!: (outcome: string) => void;
  const outcome = new Promise<string>((resolve) => {
    settle = resolve;
  });
  return {
    queued,
    invalid: queued ? undefined : new TroupeError(ErrorCode.INVALID_TASK, 'not a task'),
    deliveryCount,
    outcome,
    ack: async () => settle('ack'),
    release: (delayMs = 0) => settle(`release ${delayMs}`),
    abandon: () => settle('abandon'),
    deadLetter: async (reason: ErrorReply) => settle(`dead ${reason.code}: ${reason.message}`),
  };
}

function harness(options: { resolveFails?: TroupeError } = {}) {
  const store = createMemoryTaskStore();
  let deliver!: (delivery: TaskDelivery) => Promise<void>;
  const queue: TaskQueue = {
    maxDeliveries: 3,
    enqueue: async () => ({ duplicate: false }),
    consume: (handle) => {
      deliver = handle;
      return { stop: async () => undefined };
    },
  };
  const launched: Array<{ record: TaskRecord; revision: number }> = [];
  const finish: Array<(outcome: TaskResult | Error) => void> = [];
  const runner = runQueuedTasks({
    queue,
    store,
    owner: 'replica-b',
    concurrency: 4,
    logger: silentLogger,
    resolvePipeline: async () => {
      if (options.resolveFails) throw options.resolveFails;
      return { pipeline };
    },
    launch: (record, revision) => {
      launched.push({ record: structuredClone(record), revision });
      let done!: (outcome: TaskResult | Error) => void;
      const result = new Promise<TaskResult>((resolve, reject) => {
        done = (outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome));
      });
      finish.push(done);
      return { result, interrupt: async () => done(new TroupeError(ErrorCode.CANCELLED, 'shutting down')) } satisfies TaskHandle;
    },
    localTask: () => undefined,
  });
  return { store, runner, launched, finish, deliver: (delivery: FakeDelivery) => deliver(delivery) };
}

const completed = (id: string): TaskResult => ({ taskId: id, tenant: 'acme', status: 'completed', nodes: [], usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 }, costUsd: 0, latencyMs: 1 });

describe('runQueuedTasks', () => {
  it('resumes a task a dead replica left mid-DAG from its stored nodes, taking ownership first', async () => {
    const { store, launched, finish, deliver } = harness();
    const nodes = { a: { ...initialNodeState(), status: 'succeeded' as const, attempt: 1 }, b: { ...initialNodeState(), status: 'running' as const, attempt: 1 } };
    await store.put({ task: task('t1'), pipelineName: 'two', pipeline, startedAt: 42, status: 'running', nodes, owner: 'replica-a' });
    const delivery = deliveryOf({ task: task('t1') }, 2);
    const handled = deliver(delivery);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(launched).toHaveLength(1);
    expect(launched[0]?.record).toMatchObject({ owner: 'replica-b', startedAt: 42, nodes });
    expect((await store.load('acme', 't1'))?.revision).toBe(launched[0]?.revision);
    finish[0]!(completed('t1'));
    await handled;
    expect(await delivery.outcome).toBe('ack');
  });

  it('acks a task whose record is already final without running it again', async () => {
    const { store, launched, deliver } = harness();
    await store.put({ task: task('t2'), pipelineName: 'two', pipeline, startedAt: 1, status: 'completed', nodes: {}, result: completed('t2') });
    const delivery = deliveryOf({ task: task('t2') }, 2);
    await deliver(delivery);
    expect(await delivery.outcome).toBe('ack');
    expect(launched).toEqual([]);
  });

  it('leaves a task taken over by another replica to it: no ack, no release', async () => {
    const { launched, finish, deliver } = harness();
    const delivery = deliveryOf({ task: task('t3'), pipeline });
    const handled = deliver(delivery);
    await new Promise((resolve) => setTimeout(resolve, 10));
    finish[0]!(supersededError('acme', 't3'));
    await handled;
    expect(await delivery.outcome).toBe('abandon');
    expect(launched).toHaveLength(1);
  });

  it('backs off a task that cannot start, and dead-letters it with that reason at the last delivery', async () => {
    const { store, deliver } = harness({ resolveFails: new TroupeError(ErrorCode.UNKNOWN_PIPELINE, 'no pipeline named "gone"') });
    const early = deliveryOf({ task: { ...task('t4'), pipeline: 'gone' } }, 1);
    await deliver(early);
    expect(await early.outcome).toBe('release 500');
    const last = deliveryOf({ task: { ...task('t4'), pipeline: 'gone' } }, 3);
    await deliver(last);
    expect(await last.outcome).toBe('dead UNKNOWN_PIPELINE: no pipeline named "gone"');
    expect((await store.get('acme', 't4'))?.result).toMatchObject({ status: 'failed', error: { code: 'UNKNOWN_PIPELINE' } });
  });

  it('dead-letters a task delivered more often than allowed (planners kept dying on it), keeping its progress in the record', async () => {
    const { store, launched, deliver } = harness();
    const nodes = { a: { ...initialNodeState(), status: 'succeeded' as const, attempt: 1, costUsd: 0.5 } };
    await store.put({ task: task('t5'), pipelineName: 'two', pipeline, startedAt: 1, status: 'running', nodes });
    const delivery = deliveryOf({ task: task('t5') }, 4);
    await deliver(delivery);
    expect(await delivery.outcome).toMatch(/^dead INTERNAL: the task was delivered 3 times without finishing/);
    expect(launched).toEqual([]);
    const result = (await store.get('acme', 't5'))?.result;
    expect(result).toMatchObject({ status: 'failed', costUsd: 0.5 });
    expect(result?.nodes.map((node) => node.status)).toEqual(['succeeded', 'pending']);
  });

  it('dead-letters an unreadable message at once', async () => {
    const { deliver } = harness();
    const delivery = deliveryOf(undefined);
    await deliver(delivery);
    expect(await delivery.outcome).toBe('dead INVALID_TASK: not a task');
  });

  it('gives running tasks back, immediately, when it stops past the grace period', async () => {
    const { runner, deliver } = harness();
    const delivery = deliveryOf({ task: task('t6'), pipeline });
    const handled = deliver(delivery);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(runner.inFlight).toBe(1);
    await runner.stop(50);
    await handled;
    expect(await delivery.outcome).toBe('release 0');
  });
});
