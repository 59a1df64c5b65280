import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import { listDeadLettersCommand, showDeadLetterCommand } from '@troupe/cli';
import { createTroupeClient } from '@troupe/client';
import { durableSubjects, taskMessageId } from '@troupe/durability';
import { startHarness, waitUntil, type Harness } from './durable-harness.js';

describe('a poisoned task ends in the dead-letter stream with its reason', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ env: { TROUPE_QUEUE_MAX_DELIVERIES: '3', TROUPE_QUEUE_ACK_WAIT_MS: '500' } });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('retries a task no replica can start with backoff, dead-letters it, and `troupe dlq` shows why', async () => {
    await Promise.all([harness.launch('judge'), harness.launch('worker'), harness.launch('planner')]);
    // Queued by a producer whose pipeline these planners do not know (a rolling deploy gone wrong),
    // and a message that is not a task at all. Healthy tasks keep flowing around them.
    const js = jetstream(harness.connection);
    const poisoned = { task: { id: 'poisoned-1', tenant: 'default', pipeline: 'retired-pipeline', input: 'x' } };
    await js.publish(durableSubjects.taskQueue('default'), JSON.stringify(poisoned), { msgID: taskMessageId('default', 'poisoned-1') });
    await js.publish(durableSubjects.taskQueue('default'), 'not a task');
    await harness.submit(['healthy-1', 'healthy-2']);

    const lines: string[] = [];
    await waitUntil(
      async () => {
        lines.length = 0;
        const letters = await listDeadLettersCommand({ natsUrl: harness.server.url, write: (line) => lines.push(line) });
        return letters.length === 2;
      },
      20_000,
      'two dead letters',
    );
    expect(lines.join('\n')).toMatch(/poisoned-1\s+3\s+.*UNKNOWN_PIPELINE: no pipeline named "retired-pipeline"/);
    expect(lines.join('\n')).toMatch(/seq-\d+\s+1\s+.*INVALID_TASK: the queued message is not JSON/);

    const shown: string[] = [];
    const letter = await showDeadLetterCommand('poisoned-1', { natsUrl: harness.server.url, write: (line) => shown.push(line) });
    expect(letter).toMatchObject({ taskId: 'poisoned-1', tenant: 'default', deliveries: 3, reason: { code: 'UNKNOWN_PIPELINE' } });
    expect(shown.join('\n')).toContain('"pipeline": "retired-pipeline"');

    // The client asking for the result learns the reason too; healthy tasks were not held up.
    const client = createTroupeClient({ connection: harness.connection });
    const result = await client.result('poisoned-1');
    expect(result).toMatchObject({ status: 'failed', error: { code: 'UNKNOWN_PIPELINE' } });
    const healthy = await harness.waitForFinal(['healthy-1', 'healthy-2'], 10_000);
    expect([...healthy.values()].map((record) => record.status)).toEqual(['completed', 'completed']);
    await expect(showDeadLetterCommand('healthy-1', { natsUrl: harness.server.url, write: () => undefined })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
