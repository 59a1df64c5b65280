import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { createTroupeClient } from '@troupe/client';
import { ModelConfig } from '@troupe/models';
import { createRouter } from '@troupe/router';
import { connectNats } from '@troupe/transport';
import { startNatsServer, type NatsServer } from '@troupe/testing';
import { createTroupe, type Troupe } from './create-troupe.js';

const labelSchema = { type: 'object', properties: { label: { type: 'string', enum: ['billing', 'bug'] } }, required: ['label'] };
const registry = [
  // Cheap and confident-looking, but its answers never pass the judge (not one of the labels).
  { id: 'cheap', provider: 'template', templates: { '': '{"label":"refund"}' }, qualityPrior: 0.9, pricing: { inputPerMTok: 0.1, outputPerMTok: 0.1 } },
  // Dearer, and its answers pass.
  { id: 'good', provider: 'echo', qualityPrior: 0.8, pricing: { inputPerMTok: 5, outputPerMTok: 5 } },
];

describe('router in the planner, learning online from the judge over real NATS', () => {
  let server: NatsServer;
  let connection: NatsConnection;
  let troupe: Troupe;

  beforeAll(async () => {
    server = await startNatsServer();
    connection = await connectNats({ servers: server.url });
    troupe = await createTroupe({
      connection,
      models: { models: registry },
      router: createRouter({ models: registry.map((model) => ModelConfig.parse(model)) }),
      skills: ['classify'],
    });
  });

  afterAll(async () => {
    await troupe?.stop();
    await connection?.drain();
    await server?.stop();
  });

  it('starts on the cheap model, reroutes on failed verdicts, and learns to go straight to the model that passes', async () => {
    const client = createTroupeClient({ connection });
    const plan = { name: 'classify', nodes: [{ id: 'label', skill: 'classify', outputSchema: labelSchema, maxAttempts: 1 }] };
    const firstModels: string[] = [];
    for (let index = 0; index < 30; index += 1) {
      const result = await client.run({ plan, input: `ticket ${index}: my invoice is wrong`, quality: 'fast' });
      expect(result.status, JSON.stringify(result.error)).toBe('completed');
      expect(result.nodes[0]?.model).toBe('good');
      firstModels.push(result.nodes[0]!.attempts === 1 ? 'good' : 'cheap');
    }
    expect(firstModels[0]).toBe('cheap'); // before any verdict, the prior favours the cheap model
    expect(firstModels.slice(-5)).toEqual(['good', 'good', 'good', 'good', 'good']); // learnt from the judge
  });
});
