import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTroupeClient } from '@troupe/client';
import type { TroupeError } from '@troupe/protocol';
import { startHarness, waitUntil, type Harness } from './durable-harness.js';

const chain = {
  name: 'chain',
  nodes: ['n1', 'n2', 'n3'].map((id, index, all) => ({ id, skill: 'generate', dependsOn: index === 0 ? [] : [all[index - 1]!], timeoutMs: 20_000 })),
};

describe('SIGTERM drains a planner and a worker within a bound, losing nothing', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ pipelines: [chain], env: { TROUPE_SHUTDOWN_GRACE_MS: '300', TROUPE_JUDGE_TIMEOUT_MS: '20000', TROUPE_PLANNER_CONCURRENCY: '4' } });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('a stopping planner stops pulling, gives unfinished tasks back, and another replica finishes them without paying twice', async () => {
    const [judge, leaving] = await Promise.all([
      harness.launch('judge'),
      harness.launch('planner', { TROUPE_LOG_LEVEL: 'info' }),
      harness.launch('planner'),
      harness.launch('worker'),
    ]);
    // With the judge frozen, every task is provably in flight on some planner when one is stopped,
    // and with four slots per planner, each of the two holds four of the eight.
    judge.process.kill('SIGSTOP');
    const ids = Array.from({ length: 8 }, (_, index) => `graceful-${index}`);
    await harness.submit(ids, 'chain');
    await waitUntil(() => ids.every((id) => harness.events.of(id).some((event) => event.type === 'node.completed')), 10_000, 'every task to wait for the judge');

    const stoppedAt = Date.now();
    const code = await leaving.stop('SIGTERM');
    const stopMs = Date.now() - stoppedAt;
    expect(code).toBe(0);
    expect(stopMs).toBeLessThan(300 + 5_000);
    expect(leaving.logs()).toContain('giving unfinished tasks back to the queue');

    judge.process.kill('SIGCONT');
    const records = await harness.waitForFinal(ids, 20_000);
    expect([...records.values()].map((record) => record.status)).toEqual(ids.map(() => 'completed'));
    const attempts = (await harness.attempts()).filter((attempt) => attempt.taskId.startsWith('graceful-'));
    expect(attempts).toHaveLength(ids.length * chain.nodes.length);
    // The other replica sent the given-back nodes again at the same attempt: replayed, never re-run.
    expect(attempts.filter((attempt) => attempt.executions !== 1 || attempt.attempt !== 1)).toEqual([]);
  });

  it('a stopping worker answers what it took before it exits 0; tasks flowing through it lose nothing', async () => {
    const extra = await harness.launch('worker', { TROUPE_WORKER_ID: 'extra' });
    const ids = Array.from({ length: 20 }, (_, index) => `graceful-worker-${index}`);
    const submitted = harness.submit(ids, 'chain');
    await waitUntil(() => ids.some((id) => harness.events.of(id).some((event) => event.type === 'node.completed')), 10_000, 'nodes flowing');
    const stoppedAt = Date.now();
    expect(await extra.stop('SIGTERM')).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(300 + 5_000);
    await submitted;
    // A dropped request would surface as a node timeout (20 s) and a second attempt.
    const records = await harness.waitForFinal(ids, 10_000);
    expect([...records.values()].map((record) => record.status)).toEqual(ids.map(() => 'completed'));
    expect([...records.values()].flatMap((record) => record.result!.nodes.map((node) => node.attempts))).toEqual(ids.flatMap(() => [1, 1, 1]));
  });

  it('a stopping planner hands a direct `tasks.run` task it cannot finish to the queue; the next planner finishes it', async () => {
    const judge = await harness.launch('judge', { TROUPE_JUDGE_TIMEOUT_MS: '20000' });
    const [planner] = await harness.runningPlanners();
    expect(planner).toBeDefined();
    for (const other of await harness.runningJudges()) if (other !== judge) await other.stop('SIGKILL');
    judge.process.kill('SIGSTOP');
    const client = createTroupeClient({ connection: harness.connection });
    const outcome = client.run({ id: 'graceful-direct', pipeline: 'chain', input: 'direct', progress: true }, { timeoutMs: 30_000 }).then(
      (result) => result.status,
      (error: TroupeError) => error.code,
    );
    await waitUntil(() => harness.events.of('graceful-direct').some((event) => event.type === 'node.completed'), 10_000, 'the direct task to wait for the judge');
    expect(await planner!.stop('SIGTERM')).toBe(0);
    expect(await outcome).toBe('CANCELLED');
    await harness.launch('planner');
    judge.process.kill('SIGCONT');
    const records = await harness.waitForFinal(['graceful-direct'], 20_000);
    expect(records.get('graceful-direct')?.status).toBe('completed');
    expect((await harness.attempts()).filter((attempt) => attempt.taskId === 'graceful-direct').map((attempt) => attempt.executions)).toEqual([1, 1, 1]);
  });
});
