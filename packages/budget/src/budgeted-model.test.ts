import { costOf, createEchoModel, maxCostOf, ModelConfig, type LanguageModel } from '@troupe/models';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import { createOpenAIModel } from '@troupe/providers';
import { startFakeOpenAI } from '@troupe/testing';
import { describe, expect, it } from 'vitest';
import { createBudgetedModel } from './budgeted-model.js';
import { taskScope, tenantScope } from './budget-scope.js';
import { createMemoryBudgetLedger } from './memory-budget-ledger.js';
import { estimateInputTokensUpperBound } from './token-estimate.js';

const pricing = { inputPerMTok: 2.5, outputPerMTok: 10 };
const ask = { messages: [{ role: 'user' as const, content: 'Summarise the quarterly report in one line.' }], maxOutputTokens: 400 };

describe('createBudgetedModel', () => {
  it('lets 50 concurrent calls through a real provider spend up to, never past, the task budget', async () => {
    await using fake = await startFakeOpenAI({ apiKey: 'sk-budget' });
    const provider = createOpenAIModel(ModelConfig.parse({ id: 'gpt', provider: 'openai', model: 'gpt-4o', baseUrl: fake.url }), { OPENAI_API_KEY: 'sk-budget' });
    const ledger = createMemoryBudgetLedger();
    const task = taskScope('report-1');
    const tenant = tenantScope('acme');
    await ledger.setLimit(task, 0.02);
    // Each call holds ≈ $0.0042 (bound of ~67 prompt tokens + 400 output) and really costs $0.0013.
    for (let index = 0; index < 50; index += 1) fake.enqueue({ type: 'reply', text: 'Fine.', usage: { inputTokens: 20, outputTokens: 125 }, delayMs: 5 + (index % 7) * 3 });
    const settled: number[] = [];
    const model = createBudgetedModel(provider, { ledger, scopes: [tenant, task], pricing, onSettled: ({ costUsd }) => settled.push(costUsd) });

    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, () => model.doGenerate(ask)));
    const served = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as TroupeError] : []));
    expect(served.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((error) => error.code === ErrorCode.BUDGET_EXCEEDED)).toBe(true);
    // A refused call never reached the API.
    expect(fake.requests).toHaveLength(served.length);

    const snapshot = await ledger.snapshot(task);
    expect(snapshot.spentUsd).toBeLessThanOrEqual(0.02);
    expect(snapshot.reservedUsd).toBe(0);
    const perCall = costOf({ inputTokens: 20, outputTokens: 125, cachedInputTokens: 0 }, pricing);
    expect(Math.round(snapshot.spentUsd * 1e6)).toBe(served.length * Math.round(perCall * 1e6));
    expect(settled).toHaveLength(served.length);
    expect((await ledger.snapshot(tenant)).spentUsd).toBe(snapshot.spentUsd);
  });

  it('reserves the worst case and sends the output cap it priced', async () => {
    const seen: number[] = [];
    const echo = createEchoModel();
    const spy: LanguageModel = { ...echo, doGenerate: (call) => (seen.push(call.maxOutputTokens ?? -1), echo.doGenerate(call)) };
    const ledger = createMemoryBudgetLedger();
    const scope = taskScope('cap');
    const bound = maxCostOf(estimateInputTokensUpperBound({ messages: ask.messages }), 256, pricing);
    await ledger.setLimit(scope, bound);
    const model = createBudgetedModel(spy, { ledger, scopes: scope, pricing, defaultMaxOutputTokens: 256 });
    await model.doGenerate({ messages: ask.messages });
    expect(seen).toEqual([256]);
    // One micro-dollar less and the same call is refused before it runs.
    const tight = createMemoryBudgetLedger();
    await tight.setLimit(scope, bound - 0.000001);
    await expect(createBudgetedModel(spy, { ledger: tight, scopes: scope, pricing, defaultMaxOutputTokens: 256 }).doGenerate({ messages: ask.messages })).rejects.toMatchObject({
      code: ErrorCode.BUDGET_EXCEEDED,
    });
    expect(seen).toHaveLength(1);
  });

  it('releases the hold when the call fails, and settles a stream from its finish part', async () => {
    await using fake = await startFakeOpenAI({ apiKey: 'sk-budget' });
    const provider = createOpenAIModel(ModelConfig.parse({ id: 'gpt', provider: 'openai', model: 'gpt-4o', baseUrl: fake.url }), { OPENAI_API_KEY: 'sk-budget' });
    const ledger = createMemoryBudgetLedger();
    const scope = taskScope('stream');
    const model = createBudgetedModel(provider, { ledger, scopes: scope, pricing });
    fake.enqueue({ type: 'error', error: 'server' }, { type: 'reply', text: 'streamed', usage: { inputTokens: 100, outputTokens: 10 } });
    await expect(model.doGenerate(ask)).rejects.toMatchObject({ code: ErrorCode.PROVIDER_ERROR });
    expect(await ledger.snapshot(scope)).toMatchObject({ spentUsd: 0, reservedUsd: 0 });
    for await (const _part of model.doStream(ask));
    expect(await ledger.snapshot(scope)).toMatchObject({ spentUsd: (100 * 2.5 + 10 * 10) / 1e6, reservedUsd: 0 });
  });

  it('charges the full hold when the consumer abandons a stream (the provider still bills it)', async () => {
    const ledger = createMemoryBudgetLedger();
    const scope = taskScope('abandoned');
    const model = createBudgetedModel(createEchoModel(), { ledger, scopes: scope, pricing });
    for await (const _part of model.doStream(ask)) break;
    const snapshot = await ledger.snapshot(scope);
    expect(snapshot.reservedUsd).toBe(0);
    expect(snapshot.spentUsd).toBeCloseTo(maxCostOf(estimateInputTokensUpperBound(ask), 400, pricing), 6);
  });
});
