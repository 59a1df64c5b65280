import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTroupeClient } from '@troupe/client';
import type { TroupeError } from '@troupe/protocol';
import { kill, startHarness, waitUntil, widePipeline, type Harness } from './durable-harness.js';

const NODES = widePipeline.nodes.length;

describe('kill -9 the planner mid-way through 20 submitted tasks', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ env: { TROUPE_PLANNER_CONCURRENCY: '4' } });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('another planner resumes every task, mid-DAG, without running a finished node twice', async () => {
    await Promise.all([harness.launch('judge'), harness.launch('worker')]);
    const first = await harness.launch('planner');
    const ids = Array.from({ length: 20 }, (_, index) => `kill-planner-${index}`);
    await harness.submit(ids);

    // Kill once some tasks are done and another is provably part-way through its DAG.
    const verdicts = (id: string) => harness.events.of(id).filter((event) => event.type === 'verdict.ready').length;
    await waitUntil(
      () => harness.events.completed().size >= 5 && ids.some((id) => !harness.events.completed().has(id) && verdicts(id) >= 3),
      30_000,
      'tasks in flight mid-DAG',
    );
    await kill(first, 'SIGKILL');
    const killedAt = Date.now();
    const doneBeforeKill = harness.events.completed().size;
    expect(doneBeforeKill).toBeLessThan(20);

    await harness.launch('planner');
    const records = await harness.waitForFinal(ids, 45_000);

    expect([...records.values()].map((record) => record.status)).toEqual(ids.map(() => 'completed'));
    for (const record of records.values()) {
      expect(record.result?.nodes.map((node) => [node.status, node.attempts])).toEqual(widePipeline.nodes.map(() => ['succeeded', 1]));
    }
    // Resumed, not restarted: a task announced again after the kill dispatched fewer nodes than its DAG has.
    const resumedMidDag = ids.filter((id) => {
      const afterKill = harness.events.of(id).filter((event) => event.receivedAt > killedAt);
      const restarted = afterKill.some((event) => event.type === 'task.accepted') && harness.events.of(id).some((event) => event.type === 'task.accepted' && event.receivedAt < killedAt);
      return restarted && afterKill.filter((event) => event.type === 'node.started').length < NODES;
    });
    expect(resumedMidDag.length).toBeGreaterThan(0);
    // Every node attempt ran exactly once across both planners: no model call was paid twice.
    const attempts = (await harness.attempts()).filter((attempt) => attempt.taskId.startsWith('kill-planner-'));
    expect(attempts).toHaveLength(20 * NODES);
    expect(attempts.filter((attempt) => attempt.state !== 'done' || attempt.executions !== 1 || attempt.attempt !== 1)).toEqual([]);
  });

  it('a direct `tasks.run` whose planner was killed resumes when the client retries it with the same id', async () => {
    const [survivor] = await harness.runningPlanners();
    const judges = await harness.runningJudges();
    for (const judge of judges) judge.process.kill('SIGSTOP');
    const client = createTroupeClient({ connection: harness.connection });
    const task = { id: 'direct-after-kill', pipeline: 'wide', input: 'direct', progress: true };
    const first = client.run(task, { timeoutMs: 4_000 }).then(
      () => 'answered',
      (error: TroupeError) => error.code,
    );
    await waitUntil(() => harness.events.of(task.id).some((event) => event.type === 'node.completed'), 10_000, 'the direct task to be mid-DAG');
    await kill(survivor!, 'SIGKILL');
    expect(await first).toBe('TIMEOUT');
    await harness.launch('planner');
    for (const judge of judges) judge.process.kill('SIGCONT');
    const retried = await client.run(task, { timeoutMs: 20_000 });
    expect(retried.status).toBe('completed');
    const attempts = (await harness.attempts()).filter((attempt) => attempt.taskId === task.id);
    expect(attempts.map((attempt) => attempt.executions)).toEqual(widePipeline.nodes.map(() => 1));
  });
});
