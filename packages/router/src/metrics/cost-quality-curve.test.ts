import { describe, expect, it } from 'vitest';
import { aiq, bestQualityWithin, hullValue, upperHull } from './cost-quality-curve.js';

describe('upperHull', () => {
  it('keeps the concave, non-decreasing envelope', () => {
    const points = [
      { cost: 0, quality: 0.5 },
      { cost: 1, quality: 0.6 },
      { cost: 1.5, quality: 0.7 },
      { cost: 2, quality: 0.9 },
      { cost: 3, quality: 0.8 },
    ];
    // (1, 0.6) and (1.5, 0.7) lie under the chord from (0, 0.5) to (2, 0.9); (3, 0.8) is past the peak.
    expect(upperHull(points)).toEqual([
      { cost: 0, quality: 0.5 },
      { cost: 2, quality: 0.9 },
    ]);
  });

  it('keeps only the best point at equal cost', () => {
    expect(upperHull([{ cost: 1, quality: 0.2 }, { cost: 1, quality: 0.4 }])).toEqual([{ cost: 1, quality: 0.4 }]);
  });
});

describe('aiq', () => {
  it('integrates the hull over [cMin, cMax], flat past its last point', () => {
    const points = [
      { cost: 0, quality: 0.5 },
      { cost: 2, quality: 0.9 },
      { cost: 1, quality: 0.6 },
    ];
    // ∫₀² of 0.5→0.9 is 1.4, ∫₂⁴ of 0.9 is 1.8: (1.4 + 1.8) / 4.
    expect(aiq(points, 0, 4)).toBeCloseTo(0.8, 12);
  });

  it('counts nothing left of the cheapest point on the curve', () => {
    const points = [
      { cost: 1, quality: 0.6 },
      { cost: 2, quality: 0.8 },
    ];
    // 0 on [0, 1), then the trapezoid (0.6 + 0.8) / 2 on [1, 2]: 0.7 / 2.
    expect(aiq(points, 0, 2)).toBeCloseTo(0.35, 12);
    expect(hullValue(upperHull(points), 0.5)).toBe(0);
    expect(hullValue(upperHull(points), 1.5)).toBeCloseTo(0.7, 12);
  });

  it('gives the zero router a single model its own quality', () => {
    expect(aiq([{ cost: 3, quality: 0.42 }], 3, 3)).toBe(0.42);
  });
});

describe('bestQualityWithin', () => {
  it('takes the best point under the cost cap, never interpolating', () => {
    const points = [
      { cost: 1, quality: 0.5 },
      { cost: 2, quality: 0.7 },
      { cost: 3, quality: 0.9 },
    ];
    expect(bestQualityWithin(points, 2.5)).toBe(0.7);
    expect(bestQualityWithin(points, 0.5)).toBeUndefined();
  });
});
