import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { TroupeError, type ProgressEvent } from '@troupe/protocol';
import { createTroupeClient } from '@troupe/client';
import { connectNats } from '@troupe/transport';
import { startNatsServer, type NatsServer } from '@troupe/testing';
import { createTroupe, type Troupe } from './create-troupe.js';

const labelSchema = { type: 'object', properties: { label: { type: 'string', enum: ['billing', 'bug'] } }, required: ['label'] };

describe('createTroupe embedded, over a real nats-server', () => {
  let server: NatsServer;
  let connection: NatsConnection;
  let troupe: Troupe;

  beforeAll(async () => {
    server = await startNatsServer();
    connection = await connectNats({ servers: server.url });
    troupe = await createTroupe({
      connection,
      models: { models: [{ id: 'echo-small', provider: 'echo' }] },
      pipelines: [
        {
          name: 'three-step',
          nodes: [
            { id: 'extract', skill: 'extract' },
            { id: 'classify', skill: 'classify', dependsOn: ['extract'], outputSchema: labelSchema },
            { id: 'answer', skill: 'generate', dependsOn: ['classify'] },
          ],
        },
      ],
    });
  });

  afterAll(async () => {
    await troupe?.stop();
    await connection?.drain();
    await server?.stop();
  });

  it('runs a 3-node task through planner, workers and judge and reports each node', async () => {
    const client = createTroupeClient({ connection });
    const { events, result } = client.runWithProgress({ pipeline: 'three-step', input: 'my card was charged twice' });
    const seen: ProgressEvent['type'][] = [];
    for await (const event of events) seen.push(event.type);
    const outcome = await result;
    expect(outcome.status).toBe('completed');
    expect(outcome.nodes.map((node) => [node.nodeId, node.status, node.model])).toEqual([
      ['extract', 'succeeded', 'echo-small'],
      ['classify', 'succeeded', 'echo-small'],
      ['answer', 'succeeded', 'echo-small'],
    ]);
    expect(outcome.nodes[1]?.output).toEqual({ label: 'billing' });
    expect(outcome.nodes[1]?.verdict?.decision).toBe('pass');
    expect(seen[0]).toBe('task.accepted');
    expect(seen).toContain('verdict.ready');
    expect(seen.at(-1)).toBe('task.completed');
  });

  it('answers submit at once and result later, and runs a resubmitted id only once', async () => {
    const client = createTroupeClient({ connection });
    const accepted = await client.submit({ id: 'same-id', pipeline: 'three-step', input: 'x' });
    const again = await client.submit({ id: 'same-id', pipeline: 'three-step', input: 'x' });
    expect(again.duplicate).toBe(true);
    const result = await client.result(accepted.taskId, { waitMs: 5_000 });
    expect(result.status).toBe('completed');
  });

  it('rejects bad tasks with typed errors and keeps serving', async () => {
    const client = createTroupeClient({ connection });
    const codeOf = (promise: Promise<unknown>) => promise.then(() => 'no error', (error: TroupeError) => error.code);
    expect(await codeOf(client.run({ pipeline: 'nope', input: 1 }))).toBe('UNKNOWN_PIPELINE');
    expect(await codeOf(client.run({ plan: { name: 'p', nodes: [{ id: 'a', skill: 'teleport' }] }, input: 1 }))).toBe('UNKNOWN_SKILL');
    expect(await codeOf(client.run({ plan: { name: 'p', nodes: [{ id: 'a', skill: 'extract', dependsOn: ['a'] }] }, input: 1 }))).toBe('PLAN_INVALID');
    expect(await codeOf(client.run({ input: 1 } as never))).toBe('INVALID_TASK');
    expect(await codeOf(client.result('missing'))).toBe('NOT_FOUND');
    expect((await client.run({ pipeline: 'three-step', input: 'still up' })).status).toBe('completed');
  });
});
