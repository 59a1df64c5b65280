import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { createFactualityCheck, createPiiCheck, createPolicyCheck } from '@troupe/checks';
import { createTroupeClient } from '@troupe/client';
import { CacheEntry, ContextChunk, createContextStore, createSemanticCache, createUseEmbeddingModel, openContextBucket, type ContextStore, type SemanticCache } from '@troupe/context';
import { supportTriage } from '@troupe/pipelines';
import type { ProgressEvent } from '@troupe/protocol';
import { createOpenAIModel } from '@troupe/providers';
import { createTroupe, type Troupe } from '@troupe/runtime';
import { connectNats } from '@troupe/transport';
import { startFakeOpenAI, startNatsServer, type FakeProviderServer, type NatsServer } from '@troupe/testing';
import { repoRoot } from './paths.js';

const fixture = (name: string) => readFileSync(`${repoRoot}test/fixtures/context/${name}`, 'utf8');
const systemPromptOf = (body: unknown) => ((body as { messages: { role: string; content: string }[] }).messages.find((message) => message.role === 'system')?.content ?? '');

describe('support triage with retrieval, factuality against the retrieved chunks, a FAQ collection and the semantic cache', () => {
  let server: NatsServer;
  let connection: NatsConnection;
  let openai: FakeProviderServer;
  let cache: SemanticCache;
  let store: ContextStore;
  let troupe: Troupe;

  beforeAll(async () => {
    server = await startNatsServer();
    openai = await startFakeOpenAI();
    connection = await connectNats({ servers: server.url });
    const embedder = await createUseEmbeddingModel();
    store = await createContextStore({ chunks: await openContextBucket(connection, 'troupe_context', ContextChunk), embedder });
    cache = await createSemanticCache({
      entries: await openContextBucket(connection, 'troupe_cache', CacheEntry),
      pending: await openContextBucket(connection, 'troupe_cache_pending', CacheEntry.extend({ key: CacheEntry.shape.question }), { ttlMs: 600_000 }),
      embedder,
    });
    await store.ingest('support-policies', 'refund-policy.md', fixture('refund-policy.md'));
    await store.ingest('support-faq', 'support-faq.json', fixture('support-faq.json'));
    troupe = await createTroupe({
      connection,
      pipelines: [supportTriage],
      context: { cache, store },
      checks: [createPiiCheck(), createPolicyCheck({ forbidden: [{ pattern: 'as an AI language model', reason: 'no model disclaimers' }] }), createFactualityCheck()],
      models: {
        models: [
          { id: 'ticket-router', provider: 'template', skills: ['classify'], templates: { refund: '{"category":"complex"}', password: '{"category":"faq"}' } },
          // Stand-ins for the classify node's cascade (the real classifier is tested in classifier.test.ts).
          { id: 'triage-classifier', provider: 'template', skills: ['classify'], templates: { refund: '{"category":"complex"}', password: '{"category":"faq"}' } },
          { id: 'smollm2-135m-instruct', provider: 'template', skills: ['classify'], templates: { refund: '{"category":"complex"}', password: '{"category":"faq"}' } },
          { id: 'support-faq', provider: 'template', skills: ['faq'], collection: 'support-faq' },
          { id: 'echo-small', provider: 'echo', skills: ['verify', 'generate'] },
          { id: 'gpt', provider: 'openai-compatible', model: 'gpt-4o-mini', baseUrl: openai.url, apiKeyEnv: 'FAKE_OPENAI_KEY', skills: ['expert'], pricing: { inputPerMTok: 0.15, outputPerMTok: 0.6 } },
        ],
      },
      modelFactories: { 'openai-compatible': (config) => createOpenAIModel(config, { FAKE_OPENAI_KEY: openai.apiKey }) },
    });
  }, 40_000);

  afterAll(async () => {
    await troupe?.stop();
    cache?.dispose();
    store?.dispose();
    await connection?.drain();
    await openai?.close();
    await server?.stop();
  });

  it('answers the expert branch from retrieved policy chunks, and the judge fails a fact the chunks do not hold', async () => {
    openai.enqueue(
      // Attempt 1 invents a 45-day window: the retrieved policy says 30 days, so factuality fails it.
      { type: 'reply', text: JSON.stringify({ reply: 'You can request a refund within 45 days of delivery.' }) },
      { type: 'reply', text: JSON.stringify({ reply: 'You can request a refund within 30 days of delivery; it is paid back within 5 business days.' }) },
    );
    const result = await createTroupeClient({ connection }).run({ pipeline: 'support-triage', input: { text: 'How long do I have to ask for a refund after delivery?' } });
    expect(result.status, JSON.stringify(result.error)).toBe('completed');
    const expert = result.nodes.find((node) => node.nodeId === 'expert-answer')!;
    expect(expert).toMatchObject({ status: 'succeeded', attempts: 2, model: 'gpt', output: { reply: expect.stringContaining('30 days') } });
    expect(expert.retrieval?.collection).toBe('support-policies');
    expect(expert.retrieval?.chunks[0]?.source).toBe('refund-policy.md');
    // The model was shown the retrieved chunk, and the first verdict names the unsupported number.
    expect(systemPromptOf(openai.requests[0]?.body)).toContain('within 30 days of delivery');
    expect(openai.requests).toHaveLength(2);
    expect(systemPromptOf(openai.requests[1]?.body)).toMatch(/factuality: .*unsupported: .*45/);
  });

  it('serves the same question again from the cache once the judge has passed the answer, and reports the hit', async () => {
    const client = createTroupeClient({ connection });
    const requestsBefore = openai.requests.length;
    const { events, result } = client.runWithProgress({ pipeline: 'support-triage', input: { text: 'How long do I have to ask for a refund after delivery?' } });
    const seen: ProgressEvent[] = [];
    const collecting = (async () => {
      for await (const event of events) seen.push(event);
    })();
    const outcome = await result;
    await Promise.race([collecting, new Promise((resolve) => setTimeout(resolve, 500))]);
    const expert = outcome.nodes.find((node) => node.nodeId === 'expert-answer')!;
    expect(expert).toMatchObject({ status: 'succeeded', provider: 'cache', costUsd: 0, cache: { cache: 'exact', similarity: 1 } });
    expect(expert.cache?.savedCostUsd).toBeGreaterThan(0);
    expect(openai.requests.length).toBe(requestsBefore);
    expect(seen.some((event) => event.type === 'node.cache-hit' && event.nodeId === 'expert-answer')).toBe(true);
    // A near-miss (another number) is not served from the cache: it goes to the model.
    openai.enqueue({ type: 'reply', text: JSON.stringify({ reply: 'Clothing can be exchanged within 60 days.' }) });
    const other = await client.run({ pipeline: 'support-triage', input: { text: 'How long do I have to ask for a refund after delivery of order 991?' } });
    expect(other.nodes.find((node) => node.nodeId === 'expert-answer')?.provider).not.toBe('cache');
  });

  it('answers the FAQ branch from the FAQ collection with no LLM', async () => {
    const result = await createTroupeClient({ connection }).run({ pipeline: 'support-triage', input: { text: 'I forgot my password, how can I reset it?' } });
    expect(result.status, JSON.stringify(result.error)).toBe('completed');
    const faq = result.nodes.find((node) => node.nodeId === 'faq')!;
    expect(faq).toMatchObject({ status: 'succeeded', model: 'support-faq', costUsd: 0, output: { reply: expect.stringContaining('Forgot password') } });
  });
});
