import { describe, expect, it } from 'vitest';
import { averagePgr, callPerformanceThreshold, performanceGapRecovered } from './routellm-metrics.js';

const points = [
  { share: 0.2, pgr: 0.5 },
  { share: 0.5, pgr: 0.9 },
  { share: 0.4, pgr: 0.4 },
];

describe('RouteLLM metrics', () => {
  it('computes the performance gap recovered', () => {
    expect(performanceGapRecovered(0.8, 0.6, 1)).toBeCloseTo(0.5, 12);
    expect(performanceGapRecovered(0.7, 0.7, 0.7)).toBe(0);
  });

  it('integrates the best-within-budget PGR over shares 0..1', () => {
    // 0 on [0, 0.2), 0.5 on [0.2, 0.5) (the 0.4 point does not beat it), 0.9 on [0.5, 1].
    expect(averagePgr(points)).toBeCloseTo(0.5 * 0.3 + 0.9 * 0.5, 12);
    // A random router on the diagonal, sampled finely, has APGR close to 0.5.
    const diagonal = Array.from({ length: 1001 }, (_, index) => ({ share: index / 1000, pgr: index / 1000 }));
    expect(averagePgr(diagonal)).toBeCloseTo(0.5, 2);
  });

  it('finds the cheapest share reaching a PGR target', () => {
    expect(callPerformanceThreshold(points, 0.5)).toBe(0.2);
    expect(callPerformanceThreshold(points, 0.8)).toBe(0.5);
    expect(callPerformanceThreshold(points, 0.95)).toBeUndefined();
  });
});
