import { describe, expect, it } from 'vitest';
import { fromPromise } from 'xstate';
import { plannerMachine, type PlannedTask } from '@troupe/planner';
import { PipelineDefinition, type WorkerResult } from '@troupe/protocol';
import { isSuperseded, type TaskRecord } from '@troupe/store-contract';
import { silentLogger } from '@troupe/transport';
import { TaskRuns } from './task-runs.js';
import { createMemoryTaskStore } from './task-store.js';

const pipeline = PipelineDefinition.parse({ name: 'p', nodes: [{ id: 'a', skill: 'generate' }] });
const task = (id: string): PlannedTask => ({
  id,
  tenant: 'acme',
  pipeline: 'p',
  input: 'x',
  quality: 'balanced',
  planner: 'declarative',
  metadata: {},
  progress: false,
});
const recordOf = (id: string, owner: string): TaskRecord => ({
  task: task(id),
  pipelineName: 'p',
  pipeline,
  startedAt: Date.now(),
  status: 'running',
  nodes: {},
  owner,
});
// A worker that never answers (until aborted): the task stays mid-flight.
const stuck = plannerMachine.provide({
  actors: {
    runNode: fromPromise<WorkerResult, unknown>(
      ({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    ),
  },
});

function setup() {
  const store = createMemoryTaskStore();
  const events: string[] = [];
  const runs = new TaskRuns({
    machine: stuck,
    store,
    logger: silentLogger,
    publish: (_tenant, event) => events.push(event.type),
    finish: (output) => output,
    onFinished: () => undefined,
  });
  return { store, runs, events };
}

describe('TaskRun', () => {
  it('cancel() reaches the machine as task.cancel: the task ends failed with CANCELLED, stored, and leaves the registry', async () => {
    const { store, runs } = setup();
    const run = runs.launch(recordOf('t1', 'me'), 0);
    expect(runs.get('acme', 't1')).toBe(run);
    run.cancel('the caller gave up');
    const result = await run.result;
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'CANCELLED', message: 'the caller gave up' });
    expect((await store.get('acme', 't1'))?.result?.status).toBe('failed');
    expect(runs.get('acme', 't1')).toBeUndefined();
  });

  it('stops with the superseded error once another replica has written the record, without storing an outcome', async () => {
    const { store, runs } = setup();
    const run = runs.launch(recordOf('t2', 'me'), 0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const current = await store.load('acme', 't2');
    await store.put({ ...recordOf('t2', 'other-replica') }, { expectedRevision: current?.revision ?? 0 });
    run.cancel('provoke a write after the take-over'); // the next transition's write finds the record moved on
    const error = await run.result.catch((caught: unknown) => caught);
    expect(isSuperseded(error)).toBe(true);
    const stored = await store.get('acme', 't2');
    expect(stored?.owner).toBe('other-replica');
    expect(stored?.result).toBeUndefined();
    expect(runs.size).toBe(0);
  });

  it('interrupt() stores the latest state and hands the task over without publishing a failure', async () => {
    const { store, runs, events } = setup();
    const run = runs.launch({ ...recordOf('t3', 'me'), task: { ...task('t3'), progress: true } }, 0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await run.interrupt();
    const error = await run.result.catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'CANCELLED', retryable: true });
    const stored = await store.get('acme', 't3');
    expect(stored?.status).toBe('running');
    expect(stored?.nodes.a?.status).toBe('running');
    expect(events).not.toContain('task.failed');
  });
});
