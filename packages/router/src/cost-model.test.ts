import { describe, expect, it } from 'vitest';
import { createCostStats, observeCost, predictCost } from './cost-model.js';

describe('cost prediction', () => {
  it('prefers registry pricing until enough costs are observed, then the learned mean', () => {
    const stats = createCostStats();
    const pricing = { inputPerMTok: 1, outputPerMTok: 2 };
    expect(predictCost(stats, 1000, { pricing, maxOutputTokens: 500 })).toBeCloseTo(0.002, 12);
    for (let index = 0; index < 3; index += 1) observeCost(stats, 0.01, 1000, 'qa');
    expect(predictCost(stats, 1000, { pricing, task: 'qa' })).toBeCloseTo(0.01, 12);
    expect(predictCost(createCostStats(), 1000)).toBe(0);
  });

  it('shrinks a rarely seen task toward its length bucket', () => {
    const stats = createCostStats();
    for (let index = 0; index < 20; index += 1) observeCost(stats, 0.001, 100, 'common');
    observeCost(stats, 0.011, 100, 'rare');
    // Bucket mean (0.031 / 21) pulled by 5 pseudo-counts toward itself, the single rare cost at weight 1.
    const bucket = (20 * 0.001 + 0.011 + 5 * (0.031 / 21)) / 26;
    expect(predictCost(stats, 100, { task: 'rare' })).toBeCloseTo((0.011 + 5 * bucket) / 6, 12);
  });
});
