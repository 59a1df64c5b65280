import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kill, sleep, startHarness, type Harness } from './durable-harness.js';

/** Short node timeouts so a request lost with a dead worker is retried within the test's time. */
const chain = {
  name: 'chain',
  nodes: ['n1', 'n2', 'n3', 'n4'].map((id, index, all) => ({
    id,
    skill: 'generate',
    dependsOn: index === 0 ? [] : [all[index - 1]!],
    timeoutMs: 1_500,
    maxAttempts: 3,
  })),
};

describe('kill -9 a worker while it holds node requests, with two worker replicas', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ pipelines: [chain], env: { TROUPE_REQUEST_MARGIN_MS: '500' } });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('the planner times the lost requests out and every task completes on the other replica', async () => {
    const [doomed] = await Promise.all([
      harness.launch('worker', { TROUPE_WORKER_ID: 'doomed' }),
      harness.launch('worker', { TROUPE_WORKER_ID: 'survivor' }),
      harness.launch('judge'),
      harness.launch('planner'),
    ]);
    // Freeze it first, so it provably holds requests it will never answer, then kill -9 it.
    doomed.process.kill('SIGSTOP');
    const ids = Array.from({ length: 10 }, (_, index) => `kill-worker-${index}`);
    await harness.submit(ids, 'chain');
    await sleep(600);
    await kill(doomed, 'SIGKILL');

    const records = await harness.waitForFinal(ids, 30_000);
    expect([...records.values()].map((record) => record.status)).toEqual(ids.map(() => 'completed'));
    const retried = [...records.values()].flatMap((record) => record.result!.nodes.filter((node) => node.attempts > 1));
    expect(retried.length).toBeGreaterThan(0);
    const attempts = (await harness.attempts()).filter((attempt) => attempt.taskId.startsWith('kill-worker-'));
    // Every attempt that produced a result ran once, on the surviving replica.
    expect(attempts.filter((attempt) => attempt.state === 'done').every((attempt) => attempt.worker === 'survivor' && attempt.executions === 1)).toBe(true);
    expect(attempts.filter((attempt) => attempt.state === 'done')).toHaveLength(ids.length * chain.nodes.length);
  });
});
