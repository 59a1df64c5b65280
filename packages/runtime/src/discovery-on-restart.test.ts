import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { TroupeError } from '@troupe/protocol';
import { createTroupeClient } from '@troupe/client';
import { connectNats } from '@troupe/transport';
import { startNatsServer, type NatsServer } from '@troupe/testing';
import { createTroupe, type Troupe } from './create-troupe.js';

const pipelines = [{ name: 'one-step', nodes: [{ id: 'answer', skill: 'generate' }] }];
const models = { models: [{ id: 'echo-small', provider: 'echo' as const }] };

describe('a planner that has just started, before it has heard from any worker', () => {
  let server: NatsServer;
  let plannerConnection: NatsConnection;
  let workerConnection: NatsConnection;
  const troupes: Troupe[] = [];

  beforeAll(async () => {
    server = await startNatsServer();
    plannerConnection = await connectNats({ servers: server.url });
    workerConnection = await connectNats({ servers: server.url });
  });

  afterAll(async () => {
    for (const troupe of troupes) await troupe.stop();
    await plannerConnection?.drain();
    await workerConnection?.drain();
    await server?.stop();
  });

  it('bug: answered UNKNOWN_SKILL until it discovered the workers; now a request waits for discovery within its deadline', async () => {
    troupes.push(await createTroupe({ connection: plannerConnection, models, pipelines, roles: ['planner', 'judge'] }));
    const client = createTroupeClient({ connection: plannerConnection });
    const sentAt = Date.now();
    const result = client.run({ pipeline: 'one-step', input: 'hello' }, { timeoutMs: 10_000 });
    result.catch(() => undefined); // awaited below; a rejection must not be reported as unhandled meanwhile
    // The worker comes up after the request has arrived, as after a restart of the whole cluster.
    await new Promise((resolve) => setTimeout(resolve, 800));
    troupes.push(await createTroupe({ connection: workerConnection, models, pipelines, roles: ['worker'] }));
    const outcome = await result;
    expect(outcome.status).toBe('completed');
    expect(outcome.nodes[0]?.model).toBe('echo-small');
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(800);
  });

  it('once discovery has settled, a skill nobody serves still fails fast with UNKNOWN_SKILL', async () => {
    const client = createTroupeClient({ connection: plannerConnection });
    const started = Date.now();
    const error = await client
      .run({ plan: { name: 'p', nodes: [{ id: 'a', skill: 'teleport' }] }, input: 1 }, { timeoutMs: 10_000 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TroupeError);
    expect((error as TroupeError).code).toBe('UNKNOWN_SKILL');
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
