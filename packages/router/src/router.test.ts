import { ModelConfig } from '@troupe/models';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { syntheticJsonl } from './__fixtures__/synthetic-outcomes.js';
import { parseOutcomeJsonl } from './outcome-row.js';
import { createRouter, type Router } from './router.js';
import { trainRouter } from './train-router.js';

const registry = [
  ModelConfig.parse({ id: 'small', provider: 'llama-cpp', contextSize: 64, capabilities: ['chat'] }),
  ModelConfig.parse({ id: 'medium', provider: 'openai-compatible', contextSize: 4096, capabilities: ['chat', 'json'] }),
  ModelConfig.parse({ id: 'large', provider: 'openai', contextSize: 128_000, capabilities: ['chat', 'json', 'tools'] }),
];
const math = 'Compute the product of seven and nine, then subtract three. Show the arithmetic.';
const chat = 'Write a friendly hello message to Ada and wish Grace a nice day.';

function noRoute(action: () => unknown): TroupeError {
  try {
    action();
  } catch (error) {
    if (error instanceof TroupeError) return error;
    throw error;
  }
  throw new Error('expected NO_ROUTE');
}

describe('router.route', () => {
  let router: Router;
  beforeAll(async () => {
    ({ router } = await trainRouter(parseOutcomeJsonl(syntheticJsonl(240, 3)), { models: registry, features: { hashBits: 14 }, folds: 0 }));
  });

  it('sends easy prompts to the cheap model and hard ones up the ladder', () => {
    expect(router.route({ prompt: chat }).model).toBe('small');
    expect(router.route({ prompt: math, quality: 'best' }).model).toBe('large');
  });

  it('follows willingness to pay from one extreme to the other', () => {
    expect(router.route({ prompt: math, willingnessToPay: 1e-6 }).model).toBe('small');
    expect(router.route({ prompt: math, willingnessToPay: 1e6 }).model).toBe('large');
  });

  it('never exceeds the remaining budget', () => {
    const decision = router.route({ prompt: math, quality: 'best', budgetUsd: 0.002 });
    expect(decision.model).toBe('medium');
    expect(decision.predictedCostUsd).toBeLessThanOrEqual(0.002);
    expect(decision.rejected.large).toMatch(/exceeds remaining budget/);
    // Medium costs about $0.00105 a call in the synthetic data: a $0.001 budget leaves only small.
    const tight = router.route({ prompt: math, quality: 'best', budgetUsd: 0.001 });
    expect(tight.model).toBe('small');
    expect(Object.keys(tight.rejected).sort()).toEqual(['large', 'medium']);
  });

  it('keeps local-only tasks on local models', () => {
    const decision = router.route({ prompt: math, quality: 'best', privacy: 'local-only' });
    expect(decision.model).toBe('small');
    expect(decision.rejected).toEqual({ medium: 'cloud model; task is local-only', large: 'cloud model; task is local-only' });
  });

  it('rules out models whose context cannot hold the prompt', () => {
    const long = `${chat} ${'Please keep it short and kind. '.repeat(12)}`;
    const decision = router.route({ prompt: long, quality: 'fast' });
    expect(decision.model).not.toBe('small');
    expect(decision.rejected.small).toMatch(/context is 64/);
  });

  it('respects capabilities, exclusions, breakers, load and latency', () => {
    expect(router.route({ prompt: chat, requires: ['tools'] }).model).toBe('large');
    expect(router.route({ prompt: chat, exclude: ['small'] }).rejected.small).toMatch(/already tried/);
    const decision = router.route({
      prompt: chat,
      latencyTargetMs: 500,
      health: { small: { breakerOpen: true }, medium: { load: 1.2 }, large: { latencyMs: 300, load: 0.5 } },
    });
    expect(decision.model).toBe('large');
    expect(decision.rejected).toEqual({ small: 'circuit breaker open', medium: 'saturated (load 1.20)' });
    const slow = noRoute(() => router.route({ prompt: chat, candidates: ['large'], latencyTargetMs: 400, health: { large: { latencyMs: 300, load: 0.5 } } }));
    expect((slow.details?.rejected as Record<string, string>).large).toMatch(/expected latency 450 ms exceeds target 400 ms/);
  });

  it('throws NO_ROUTE with a reason per model when nothing is viable', () => {
    const error = noRoute(() => router.route({ prompt: chat, requires: ['tools'], privacy: 'local-only' }));
    expect(error.code).toBe(ErrorCode.NO_ROUTE);
    expect(error.retryable).toBe(false);
    expect(error.details?.rejected).toEqual({
      small: 'lacks capability tools',
      medium: 'lacks capability tools',
      large: 'cloud model; task is local-only',
    });
    // Only transient reasons (open breakers) make the error retryable.
    const broken = noRoute(() => router.route({ prompt: chat, health: { small: { breakerOpen: true }, medium: { breakerOpen: true }, large: { breakerOpen: true } } }));
    expect(broken.code).toBe(ErrorCode.NO_ROUTE);
    expect(broken.retryable).toBe(true);
  });

  it('orders the cascade cheapest first with rising predicted quality', () => {
    const { cascade } = router.route({ prompt: math });
    expect(cascade.map((step) => step.model)).toEqual(['small', 'medium', 'large']);
    for (let index = 1; index < cascade.length; index += 1) {
      expect(cascade[index]?.costUsd).toBeGreaterThan(cascade[index - 1]?.costUsd ?? 0);
      expect(cascade[index]?.quality).toBeGreaterThan(cascade[index - 1]?.quality ?? 0);
    }
  });
});

describe('router.update (online learning)', () => {
  it('moves predictions toward judged outcomes and learns about new models', () => {
    const router = createRouter({ features: { hashBits: 14 } });
    expect(router.models).toEqual([]);
    router.update({ prompt: math, model: 'fresh', score: 1, costUsd: 0.002 });
    expect(router.models).toEqual(['fresh']);
    const before = router.predict({ prompt: math })[0]?.quality ?? Number.NaN;
    for (let step = 0; step < 20; step += 1) router.update({ prompt: math, model: 'fresh', score: 0, costUsd: 0.002 });
    const after = router.predict({ prompt: math })[0]?.quality ?? Number.NaN;
    expect(after).toBeLessThan(before - 0.3);
    // Costs are learned from the same feedback once there are enough observations.
    expect(router.predict({ prompt: math })[0]?.costUsd).toBeCloseTo(0.002, 6);
  });

  it('starts registry models at their quality prior and prices them from the registry', () => {
    const router = createRouter({
      models: [ModelConfig.parse({ id: 'priced', provider: 'openai', qualityPrior: 0.8, pricing: { inputPerMTok: 10, outputPerMTok: 30 } })],
    });
    const [prediction] = router.predict({ prompt: 'a'.repeat(400), maxOutputTokens: 100 });
    expect(prediction?.quality).toBeCloseTo(0.8, 3);
    // 100 input tokens at $10/M plus 100 output tokens at $30/M.
    expect(prediction?.costUsd).toBeCloseTo(0.004, 9);
  });
});
