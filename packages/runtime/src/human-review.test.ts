import { describe, expect, it } from 'vitest';
import { createTroupeClient } from '@troupe/client';
import { subjects } from '@troupe/protocol';
import { connectNats, encodeJson } from '@troupe/transport';
import { startNatsServer } from '@troupe/testing';
import { createTroupe } from './create-troupe.js';

describe('human escalation over a real nats-server', () => {
  it('asks a human on troupe.v1.internal.human.review when the judge escalates, and applies the answer', async () => {
    await using server = await startNatsServer();
    const connection = await connectNats({ servers: server.url });
    const troupe = await createTroupe({
      connection,
      models: { models: [{ id: 'echo', provider: 'echo' }] },
      skills: ['generate'],
      // A judge policy that sends every answer to a person.
      verdictPolicy: () => ({ decision: 'escalate', reasons: ['refunds over $500 need a person'] }),
    });
    const reviews: unknown[] = [];
    const reviewer = connection.subscribe(subjects.humanReview, {
      callback: (_error, message) => {
        const request = JSON.parse(new TextDecoder().decode(message.data)) as { task: { input: string } };
        reviews.push(request);
        message.respond(encodeJson({ approved: !request.task.input.includes('fraud'), reasons: ['checked by support lead'] }));
      },
    });
    try {
      const client = createTroupeClient({ connection });
      const plan = { name: 'refund', nodes: [{ id: 'reply', skill: 'generate' }] };
      const approved = await client.run({ plan, input: 'refund $900 for a broken kettle' });
      expect(approved.status).toBe('completed');
      expect(approved.nodes[0]?.verdict?.reasons).toContain('human: checked by support lead');
      const refused = await client.run({ plan, input: 'refund $900, looks like fraud' });
      expect(refused.status).toBe('failed');
      expect(reviews).toHaveLength(2);
    } finally {
      reviewer.unsubscribe();
      await troupe.stop();
      await connection.drain();
    }
  });
});
