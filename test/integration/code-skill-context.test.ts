import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { NatsConnection } from '@nats-io/nats-core';
import { createFactualityCheck } from '@troupe/checks';
import { createTroupeClient } from '@troupe/client';
import { ContextChunk, createContextStore, createUseEmbeddingModel, openContextBucket, type ContextStore } from '@troupe/context';
import { createTroupe, type Troupe } from '@troupe/runtime';
import { defineSkill } from '@troupe/skills';
import { connectNats } from '@troupe/transport';
import { startNatsServer, type NatsServer } from '@troupe/testing';

const POLICY = [
  'Refunds are paid within 14 days of the return reaching our warehouse.',
  'Orders over 500 USD need a manager to approve the refund.',
  'Gift cards cannot be refunded.',
].join('\n\n');

/** Quotes the retrieved policy line that answers the question: code over the node's retrieved context. */
const policyQuote = defineSkill({
  name: 'policy-quote',
  input: z.object({ question: z.string() }),
  output: z.object({ quote: z.string() }),
  fromNode: (nodeInput) => (nodeInput as { task: unknown }).task,
  run: async ({ question }, ctx) => {
    const lines = (ctx.retrieved ?? '').split('\n').filter((line) => line && !line.startsWith('['));
    const words = question
      .toLowerCase()
      .split(/\W+/)
      .filter((word) => word.length > 3);
    const best = lines
      .map((line) => ({ line, hits: words.filter((word) => line.toLowerCase().includes(word)).length }))
      .sort((a, b) => b.hits - a.hits)[0];
    return { quote: best?.line ?? 'no policy found' };
  },
});

describe("a code skill reads its node's retrieved context, and the judge checks it against the same chunks", () => {
  let server: NatsServer;
  let connection: NatsConnection;
  let store: ContextStore;
  let troupe: Troupe;

  beforeAll(async () => {
    server = await startNatsServer();
    connection = await connectNats({ servers: server.url });
    store = await createContextStore({
      chunks: await openContextBucket(connection, 'troupe_context', ContextChunk),
      embedder: await createUseEmbeddingModel(),
    });
    await store.ingest('refund-policies', 'refund-policy.md', POLICY);
    troupe = await createTroupe({ connection, codeSkills: [policyQuote], context: { store }, checks: [createFactualityCheck()] });
  }, 40_000);

  afterAll(async () => {
    await troupe?.stop();
    store?.dispose();
    await connection?.drain();
    await server?.stop();
  });

  it('gets the chunks in ctx.retrieved, reports the retrieval, and passes factuality against it', async () => {
    const result = await createTroupeClient({ connection }).run({
      plan: {
        name: 'quote',
        nodes: [
          { id: 'quote', skill: 'policy-quote', context: { collection: 'refund-policies', k: 3 }, checks: ['schema', 'factuality'], maxAttempts: 1 },
        ],
      },
      input: { question: 'How many days until a refund is paid?' },
    });
    expect(result.status, JSON.stringify(result.error)).toBe('completed');
    const node = result.nodes[0]!;
    expect(node.output).toEqual({ quote: 'Refunds are paid within 14 days of the return reaching our warehouse.' });
    expect(node.verdict?.checks.find((check) => check.name === 'factuality')).toMatchObject({ passed: true });
    expect(node.costUsd).toBe(0);
    expect(node.retrieval?.collection).toBe('refund-policies');
    expect(node.retrieval?.chunks.length).toBeGreaterThan(0);
  });
});
