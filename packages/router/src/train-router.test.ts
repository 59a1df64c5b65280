import { ModelConfig } from '@troupe/models';
import { describe, expect, it } from 'vitest';
import { SYNTHETIC_MODELS, syntheticJsonl, syntheticPrompt } from './__fixtures__/synthetic-outcomes.js';
import { seededRandom } from './fit-quality.js';
import { parseOutcomeJsonl, type OutcomeRow } from './outcome-row.js';
import { createRouter, type Router } from './router.js';
import { trainRouter } from './train-router.js';

const features = { hashBits: 14 } as const;
const train = parseOutcomeJsonl(syntheticJsonl(240, 1));
const test = parseOutcomeJsonl(syntheticJsonl(120, 2));

function logLoss(router: Router, rows: readonly OutcomeRow[]): number {
  let loss = 0;
  let pairs = 0;
  for (const row of rows) {
    for (const prediction of router.predict(row)) {
      const outcome = row.outcomes[prediction.model];
      if (!outcome) continue;
      const p = Math.min(1 - 1e-7, Math.max(1e-7, prediction.quality));
      loss -= outcome.score * Math.log(p) + (1 - outcome.score) * Math.log(1 - p);
      pairs += 1;
    }
  }
  return loss / pairs;
}

describe('trainRouter', () => {
  it('predicts held-out outcomes better than the untrained prior', async () => {
    const { router } = await trainRouter(train, { features, folds: 3 });
    // The same models known only from the registry: every prediction is the 0.5 prior.
    const prior = createRouter({ features, models: SYNTHETIC_MODELS.map((id) => ModelConfig.parse({ id, provider: 'openai' })) });
    expect(prior.predict(test[0] as OutcomeRow).map((entry) => entry.quality)).toEqual([0.5, 0.5, 0.5]);
    const trainedLoss = logLoss(router, test);
    const priorLoss = logLoss(prior, test);
    expect(trainedLoss).toBeLessThan(priorLoss - 0.1);
  });

  it('learns from the prompt text which model fails which kind of prompt', async () => {
    const { router } = await trainRouter(train, { features, folds: 3 });
    const random = seededRandom(99);
    const quality = (prompt: string, model: string): number => router.predict({ prompt }).find((entry) => entry.model === model)?.quality ?? Number.NaN;
    const math = syntheticPrompt('math', random);
    const chat = syntheticPrompt('chat', random);
    expect(quality(math, 'small')).toBeLessThan(0.35);
    expect(quality(chat, 'small')).toBeGreaterThan(0.8);
    expect(quality(math, 'large')).toBeGreaterThan(0.8);
  });

  it('chooses learner settings by cross-validation and reports out-of-fold predictions', async () => {
    const grid = [
      { learningRate: 0.05, l2: 1e-4, epochs: 3 },
      { learningRate: 0.05, l2: 0.5, epochs: 3 },
    ];
    const { report } = await trainRouter(train, { features, folds: 3, grid });
    expect(report.crossValidation).toHaveLength(2);
    // An L2 of 0.5 crushes every weight, so cross-validation must prefer the first setting.
    expect(report.selected).toEqual(grid[0]);
    expect(report.crossValidation[0]?.logLoss).toBeLessThan(report.crossValidation[1]?.logLoss ?? 0);
    const outOfFold = report.outOfFold.get('small');
    expect(outOfFold).toHaveLength(train.length);
    expect([...(outOfFold ?? [])].every((value) => value > 0 && value < 1)).toBe(true);
  });

  it('learns costs per model from the rows', async () => {
    const { router } = await trainRouter(train, { features, folds: 0 });
    const costs = Object.fromEntries(router.predict({ prompt: 'anything' }).map((entry) => [entry.model, entry.costUsd]));
    expect(costs.small).toBeCloseTo(0.000105, 5);
    expect(costs.large).toBeGreaterThan(0.0099);
    expect(costs.large).toBeLessThan(0.0111);
  });

  it('takes dense vectors from a caller-supplied embedding model', async () => {
    // A stand-in "embedding": one dimension that says whether the prompt is arithmetic.
    const embed = async (texts: readonly string[]) => texts.map((text) => [text.includes('product') ? 1 : -1, 0.5]);
    const { router } = await trainRouter(train, { features, folds: 0, embed });
    const math = 'Compute the product of two and two.';
    const small = router.predict({ prompt: math, embedding: [1, 0.5] }).find((entry) => entry.model === 'small');
    expect(small?.quality).toBeLessThan(0.4);
    expect(() => router.predict({ prompt: math, embedding: [1, 0.5, 3] })).toThrow(/dimensions/);
  });
});
