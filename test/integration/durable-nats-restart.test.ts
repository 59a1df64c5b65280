import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { DurableResource } from '@troupe/durability';
import { startHarness, widePipeline, type Harness } from './durable-harness.js';

describe('kill -9 and restart the nats-server (same store) while tasks are queued', () => {
  let harness: Harness;

  beforeAll(async () => {
    // One task at a time, so most of the 20 are still waiting in the stream when the server dies.
    harness = await startHarness({ env: { TROUPE_PLANNER_CONCURRENCY: '1' } });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('loses no task: every queued and running task completes after the restart', async () => {
    const services = await Promise.all([harness.launch('judge'), harness.launch('worker'), harness.launch('planner')]);
    const ids = Array.from({ length: 20 }, (_, index) => `nats-restart-${index}`);
    await harness.submit(ids);
    const queued = (await (await jetstreamManager(harness.connection)).streams.info(DurableResource.tasksStream)).state.messages;
    expect(queued).toBeGreaterThanOrEqual(10);

    await harness.server.kill('SIGKILL');
    await harness.server.restart();

    const records = await harness.waitForFinal(ids, 60_000);
    for (const record of records.values()) expect(record.result?.nodes.map((node) => node.status), JSON.stringify(record.result?.error)).toEqual(widePipeline.nodes.map(() => 'succeeded'));
    const attempts = (await harness.attempts()).filter((attempt) => attempt.taskId.startsWith('nats-restart-'));
    expect(attempts.filter((attempt) => attempt.state === 'done')).toHaveLength(ids.length * widePipeline.nodes.length);
    expect(attempts.filter((attempt) => attempt.executions > 1)).toEqual([]);
    for (const service of services) expect(service.process.exitCode, `${service.name} exited:\n${service.logs()}`).toBeNull();
  });
});
