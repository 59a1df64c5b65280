import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { createTroupeClient } from '@troupe/client';
import { connectNats } from '@troupe/transport';
import { startNatsServer, type NatsServer } from '@troupe/testing';
import { createTroupe, type Troupe } from './create-troupe.js';

const draft = {
  nodes: [
    { id: 'step-1', skill: 'extract', dependsOn: [], instructions: 'find the facts' },
    { id: 'step-2', skill: 'summarize', dependsOn: [], instructions: 'summarize' },
    { id: 'step-3', skill: 'generate', dependsOn: ['step-1', 'step-2'], instructions: 'answer' },
  ],
};
const cyclic = { nodes: [{ id: 'step-1', skill: 'extract', dependsOn: ['step-1'], instructions: 'loop' }] };

describe('LLM planner mode over a real nats-server', () => {
  let server: NatsServer;
  let connection: NatsConnection;
  let troupe: Troupe;

  beforeAll(async () => {
    server = await startNatsServer();
    connection = await connectNats({ servers: server.url });
    troupe = await createTroupe({
      connection,
      skills: ['plan', 'extract', 'summarize', 'generate'],
      models: {
        models: [
          // A scripted planner: canned DAGs chosen by keyword stand in for a drafting model.
          { id: 'planner-model', provider: 'template', skills: ['plan'], templates: { refund: JSON.stringify(draft), loop: JSON.stringify(cyclic) } },
          { id: 'echo', provider: 'echo', skills: ['extract', 'summarize', 'generate'], pricing: { inputPerMTok: 1, outputPerMTok: 1 } },
        ],
      },
    });
  });

  afterAll(async () => {
    await troupe?.stop();
    await connection?.drain();
    await server?.stop();
  });

  it('drafts a DAG with a model, checks it, runs it, and reports the planning call', async () => {
    const result = await createTroupeClient({ connection }).run({ planner: 'llm', input: 'Ada wants a refund' });
    expect(result.status, JSON.stringify(result.error)).toBe('completed');
    expect(result.nodes.map((node) => node.nodeId)).toEqual(['llm-plan', 'step-1', 'step-2', 'step-3']);
    expect(result.nodes[0]).toMatchObject({ model: 'planner-model', status: 'succeeded' });
    expect(result.nodes.slice(1).every((node) => node.status === 'succeeded')).toBe(true);
  });

  it('rejects a drafted plan that fails the static checks with PLAN_INVALID, after redrafting', async () => {
    const error = await createTroupeClient({ connection }).run({ planner: 'llm', input: 'loop forever' }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'PLAN_INVALID' });
    expect((error as Error).message).toContain('cycle');
  });
});
