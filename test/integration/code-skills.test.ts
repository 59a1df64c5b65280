import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { createTroupeClient } from '@troupe/client';
import { ErrorCode } from '@troupe/protocol';
import { createOpenAIModel } from '@troupe/providers';
import { createTroupe, type Troupe } from '@troupe/runtime';
import { connectNats } from '@troupe/transport';
import { startFakeOpenAI, startNatsServer, type FakeProviderServer, type NatsServer } from '@troupe/testing';
import skills from './fixtures/code-skills-module.js';

const labelSchema = { type: 'object', properties: { label: { type: 'string', enum: ['billing', 'bug'] } }, required: ['label'] };
const replySchema = { type: 'object', properties: { reply: { type: 'string' } }, required: ['reply'] };

describe('code skills embedded with createTroupe, over a real nats-server', () => {
  let server: NatsServer;
  let connection: NatsConnection;
  let troupe: Troupe;
  let openai: FakeProviderServer;

  beforeAll(async () => {
    server = await startNatsServer();
    openai = await startFakeOpenAI();
    connection = await connectNats({ servers: server.url });
    troupe = await createTroupe({
      connection,
      skills: ['generate', 'expert'],
      codeSkills: skills,
      skillTools: { expert: ['refund-rule'] },
      models: {
        models: [
          { id: 'echo-small', provider: 'echo', skills: ['generate'] },
          { id: 'priced-echo', provider: 'echo', pricing: { inputPerMTok: 1, outputPerMTok: 2 } },
          {
            id: 'gpt',
            provider: 'openai-compatible',
            model: 'gpt-4o-mini',
            baseUrl: openai.url,
            apiKeyEnv: 'FAKE_OPENAI_KEY',
            skills: ['expert'],
            pricing: { inputPerMTok: 0.15, outputPerMTok: 0.6 },
          },
        ],
      },
      modelFactories: { 'openai-compatible': (config) => createOpenAIModel(config, { FAKE_OPENAI_KEY: openai.apiKey }) },
      defaultModel: 'echo-small',
    });
  });

  afterAll(async () => {
    await troupe?.stop();
    await connection?.drain();
    await openai?.close();
    await server?.stop();
  });

  it('runs a code skill as a judged node beside a model node: cost 0, latency measured, output validated', async () => {
    const client = createTroupeClient({ connection });
    const plan = {
      name: 'refund',
      nodes: [
        {
          id: 'rule',
          skill: 'refund-rule',
          outputSchema: {
            type: 'object',
            properties: { refundable: { type: 'boolean' }, reason: { type: 'string' } },
            required: ['refundable', 'reason'],
          },
        },
        { id: 'answer', skill: 'generate', dependsOn: ['rule'] },
      ],
      output: 'rule',
    };
    const result = await client.run({ plan, input: { amountUsd: 120, daysSincePurchase: 10 } });
    expect(result.status, JSON.stringify(result.error)).toBe('completed');
    const rule = result.nodes.find((node) => node.nodeId === 'rule')!;
    expect(rule).toMatchObject({ status: 'succeeded', model: 'code:refund-rule', provider: 'code', costUsd: 0, attempts: 1 });
    expect(rule.output).toEqual({ refundable: true, reason: '120 USD within 10 days' });
    expect(rule.verdict?.decision).toBe('pass');
    expect(rule.metrics?.latencyMs).toBeGreaterThan(0);
    expect(result.output).toEqual(rule.output);
    // The model node downstream received the code skill's output as its parent's.
    expect(result.nodes.find((node) => node.nodeId === 'answer')?.status).toBe('succeeded');
  });

  it('retries a code skill whose first answer the judge fails', async () => {
    const result = await createTroupeClient({ connection }).run({
      plan: { name: 'flaky', nodes: [{ id: 'label', skill: 'flaky-label', outputSchema: labelSchema, maxAttempts: 2 }] },
      input: 'x',
    });
    expect(result.status, JSON.stringify(result.error)).toBe('completed');
    expect(result.nodes[0]).toMatchObject({ attempts: 2, output: { label: 'billing' } });
  });

  it('turns a throw into a typed NODE_FAILED with the message, and the worker keeps serving', async () => {
    const client = createTroupeClient({ connection });
    const failed = await client.run({ plan: { name: 'boom', nodes: [{ id: 'boom', skill: 'explode', maxAttempts: 1 }] }, input: 'x' });
    expect(failed.status).toBe('failed');
    expect(failed.nodes[0]?.error).toMatchObject({ code: ErrorCode.NODE_FAILED });
    expect(failed.nodes[0]?.error?.message).toContain('the ledger is closed');
    const after = await client.run({
      plan: { name: 'rule-again', nodes: [{ id: 'rule', skill: 'refund-rule' }] },
      input: { amountUsd: 900, daysSincePurchase: 3 },
    });
    expect(after.status).toBe('completed');
    expect(after.nodes[0]?.output).toMatchObject({ refundable: false });
  });

  it('rejects input the skill does not accept with a typed error, without running it', async () => {
    const result = await createTroupeClient({ connection }).run({
      plan: { name: 'bad-input', nodes: [{ id: 'rule', skill: 'refund-rule', maxAttempts: 1 }] },
      input: { amountUsd: 'lots' },
    });
    expect(result.status).toBe('failed');
    expect(result.nodes[0]?.error?.code).toBe(ErrorCode.NODE_FAILED);
    expect(result.nodes[0]?.error?.message).toMatch(/does not accept: amountUsd/);
  });

  it('ends a code skill that ignores its signal at the node deadline', async () => {
    const started = Date.now();
    const result = await createTroupeClient({ connection }).run({
      plan: { name: 'sleepy', nodes: [{ id: 'nap', skill: 'sleepy', timeoutMs: 300, maxAttempts: 1 }] },
      input: 'x',
    });
    expect(result.status).toBe('failed');
    expect(result.nodes[0]?.error?.code).toBe(ErrorCode.TIMEOUT);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('charges the model calls a hybrid code skill makes', async () => {
    const result = await createTroupeClient({ connection }).run({
      plan: { name: 'hybrid', nodes: [{ id: 'sum', skill: 'summarise-with-model' }] },
      input: { text: 'my card was charged twice this month' },
    });
    expect(result.status, JSON.stringify(result.error)).toBe('completed');
    const node = result.nodes[0]!;
    expect(node.usage?.inputTokens).toBeGreaterThan(0);
    expect(node.costUsd).toBeGreaterThan(0);
    expect(result.costUsd).toBeCloseTo(node.costUsd, 12);
    expect(node.output).toMatchObject({ words: 7 });
  });

  it('offers a code skill to a model node as a tool: the model calls it over the OpenAI wire format and answers from its result', async () => {
    openai.enqueue(
      {
        type: 'reply',
        text: JSON.stringify({ tool_calls: [{ name: 'refund-rule', arguments: { amountUsd: 80, daysSincePurchase: 45 } }], answer: { reply: '' } }),
        usage: { inputTokens: 200, outputTokens: 30 },
      },
      {
        type: 'reply',
        text: JSON.stringify({ tool_calls: [], answer: { reply: 'No refund: you bought it 45 days ago.' } }),
        usage: { inputTokens: 260, outputTokens: 20 },
      },
    );
    const before = openai.requests.length;
    const result = await createTroupeClient({ connection }).run({
      plan: {
        name: 'tooled',
        nodes: [
          { id: 'answer', skill: 'expert', model: 'gpt', outputSchema: replySchema, instructions: 'Answer the refund question; use refund-rule.' },
        ],
      },
      input: 'Can I get a refund for my 80 USD order from 45 days ago?',
    });
    expect(result.status, JSON.stringify(result.error)).toBe('completed');
    const node = result.nodes[0]!;
    expect(node.output).toEqual({ reply: 'No refund: you bought it 45 days ago.' });
    // Two model turns, both charged: 460 input and 50 output tokens.
    expect(node.usage).toMatchObject({ inputTokens: 460, outputTokens: 50 });
    expect(node.costUsd).toBeCloseTo((460 * 0.15 + 50 * 0.6) / 1e6, 12);
    const requests = openai.requests.slice(before);
    expect(requests).toHaveLength(2);
    const first = requests[0]!.body as { messages: Array<{ content: string }>; response_format: { json_schema: { schema: unknown } } };
    expect(first.messages[0]!.content).toContain('refund-rule');
    expect(JSON.stringify(first.response_format.json_schema.schema)).toContain('tool_calls');
    // The code skill really ran: its result went back to the model in the second request.
    const second = requests[1]!.body as { messages: Array<{ content: string }> };
    expect(second.messages.at(-1)!.content).toContain('over the 30-day window');
  });
});
