import { costOf, ModelConfig, type LanguageModel } from '@troupe/models';
import { ErrorCode } from '@troupe/protocol';
import { createOpenAIModel } from '@troupe/providers';
import { createFallbackModel } from '@troupe/resilience';
import { startFakeOpenAI } from '@troupe/testing';
import { describe, expect, it } from 'vitest';
import { createBudgetedModel } from './budgeted-model.js';
import { taskScope } from './budget-scope.js';
import { highestPricing } from './highest-pricing.js';
import { createMemoryBudgetLedger } from './memory-budget-ledger.js';

const cheap = { inputPerMTok: 0.5, outputPerMTok: 1.5 };
const dear = { inputPerMTok: 15, outputPerMTok: 75 };
const prices: Record<string, typeof cheap> = { cheap, dear };
const ask = { messages: [{ role: 'user' as const, content: 'Summarise the quarterly report in one line.' }], maxOutputTokens: 400 };
const dearUsage = { inputTokens: 20, outputTokens: 300, cachedInputTokens: 0 };

/** As the runtime's model catalog does: results name the registry model that answered. */
const servedAs = (id: string, model: LanguageModel): LanguageModel => ({
  ...model,
  doGenerate: async (call) => ({ ...(await model.doGenerate(call)), servedBy: id }),
});

/** A cheap primary whose API fails (500, retryable) and a dearer fallback that answers, both real HTTP. */
async function chain() {
  const primaryApi = await startFakeOpenAI({ apiKey: 'sk-a' });
  const fallbackApi = await startFakeOpenAI({ apiKey: 'sk-b' });
  primaryApi.enqueue({ type: 'error', error: 'server' }, { type: 'error', error: 'server' });
  fallbackApi.enqueue({ type: 'reply', text: 'Dear answer.', usage: { inputTokens: dearUsage.inputTokens, outputTokens: dearUsage.outputTokens } });
  const model = (id: string, url: string, key: string) =>
    servedAs(id, createOpenAIModel(ModelConfig.parse({ id, provider: 'openai', model: 'gpt-4o', baseUrl: url }), { OPENAI_API_KEY: key }));
  const fallback = createFallbackModel([model('cheap', primaryApi.url, 'sk-a'), model('dear', fallbackApi.url, 'sk-b')]);
  return {
    fallback,
    fallbackApi,
    async [Symbol.asyncDispose]() {
      await primaryApi[Symbol.asyncDispose]();
      await fallbackApi[Symbol.asyncDispose]();
    },
  };
}

describe('budgets across a fallback chain (issue 14: a fallback to a dearer model overshot the budget)', () => {
  it('overshoots when the chain is reserved at the primary price (the bug), never at the highest price', async () => {
    const limitUsd = 0.001; // the cheap worst case (~$0.0006) fits; the dear answer (~$0.023) does not
    const priced = costOf(dearUsage, dear);
    expect(priced).toBeGreaterThan(limitUsd);

    await using buggy = await chain();
    const loose = createMemoryBudgetLedger();
    await loose.setLimit(taskScope('primary-priced'), limitUsd);
    await createBudgetedModel(buggy.fallback, { ledger: loose, scopes: taskScope('primary-priced'), pricing: cheap, pricingOf: (id) => prices[id] }).doGenerate(ask);
    expect((await loose.snapshot(taskScope('primary-priced'))).spentUsd).toBeGreaterThan(limitUsd);

    await using fixed = await chain();
    const ledger = createMemoryBudgetLedger();
    await ledger.setLimit(taskScope('chain-priced'), limitUsd);
    const budgeted = createBudgetedModel(fixed.fallback, { ledger, scopes: taskScope('chain-priced'), pricing: highestPricing([cheap, dear]), pricingOf: (id) => prices[id] });
    await expect(budgeted.doGenerate(ask)).rejects.toMatchObject({ code: ErrorCode.BUDGET_EXCEEDED });
    expect(fixed.fallbackApi.requests).toHaveLength(0); // refused before any model was asked
    expect(await ledger.snapshot(taskScope('chain-priced'))).toMatchObject({ spentUsd: 0, reservedUsd: 0 });
  });

  it('lets the chain fall back within a budget that covers the dearest model, and charges what the answering model costs', async () => {
    await using fixed = await chain();
    const ledger = createMemoryBudgetLedger();
    const scope = taskScope('covered');
    await ledger.setLimit(scope, 0.05);
    const settled: Array<{ costUsd: number; reservedUsd: number }> = [];
    const budgeted = createBudgetedModel(fixed.fallback, {
      ledger,
      scopes: scope,
      pricing: highestPricing([cheap, dear]),
      pricingOf: (id) => prices[id],
      onSettled: ({ costUsd, reservedUsd }) => settled.push({ costUsd, reservedUsd }),
    });
    const answer = await budgeted.doGenerate(ask);
    expect(answer.servedBy).toBe('dear');
    const snapshot = await ledger.snapshot(scope);
    expect(snapshot.spentUsd).toBeCloseTo(costOf(dearUsage, dear), 9);
    expect(snapshot.reservedUsd).toBe(0);
    expect(snapshot.spentUsd).toBeLessThanOrEqual(0.05);
    expect(settled[0]!.reservedUsd).toBeGreaterThanOrEqual(settled[0]!.costUsd); // the hold covered the dearer answer
  });

  it('prices the highest of each rate across the chain', () => {
    expect(highestPricing([cheap, dear, { inputPerMTok: 20, outputPerMTok: 1, cachedInputPerMTok: 2 }])).toEqual({ inputPerMTok: 20, outputPerMTok: 75, cachedInputPerMTok: 15 });
    expect(highestPricing([])).toEqual({ inputPerMTok: 0, outputPerMTok: 0 });
  });
});
