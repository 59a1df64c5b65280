import { describe, expect, it } from 'vitest';
import { createConfidenceCheck, createConsensusCheck, normaliseAnswer } from './consensus-check.js';

describe('consensus check', () => {
  const check = createConsensusCheck();
  it('passes when a peer gives the same normalised answer', async () => {
    expect(normaliseAnswer(' B)\n')).toBe('b');
    const result = await check.run({ skill: 'qa', output: 'B', peers: [{ model: 'm2', output: ' b.' }] });
    expect(result).toMatchObject({ passed: true, score: 1 });
  });
  it('fails with a score on disagreement and is unsure without peers', async () => {
    expect(await check.run({ skill: 'qa', output: 'A', peers: [{ model: 'm2', output: 'B' }] })).toMatchObject({ passed: false, score: 0 });
    const unsure = await check.run({ skill: 'qa', output: 'A' });
    expect(unsure.passed).toBe(false);
    expect(unsure.score).toBeUndefined();
    expect(unsure.detail).toMatch(/^unsure:/);
  });
});

describe('confidence check', () => {
  const check = createConfidenceCheck();
  it('reads the worker confidence against the gate threshold', async () => {
    expect(await check.run({ skill: 'classify', output: 'x', confidence: 0.91, minConfidence: 0.8 })).toMatchObject({ passed: true });
    expect(await check.run({ skill: 'classify', output: 'x', confidence: 0.5, minConfidence: 0.8 })).toMatchObject({ passed: false, score: 0.5 });
    expect((await check.run({ skill: 'classify', output: 'x', minConfidence: 0.8 })).detail).toMatch(/^unsure:/);
  });
  it("falls back to the classifier's own cross-validated threshold when the gate sets none", async () => {
    expect(await check.run({ skill: 'classify', output: 'x', confidence: 0.72, metadata: { threshold: 0.7 } })).toMatchObject({ passed: true });
    expect(await check.run({ skill: 'classify', output: 'x', confidence: 0.65, metadata: { threshold: 0.7 } })).toMatchObject({ passed: false });
    expect(await check.run({ skill: 'classify', output: 'x', confidence: 0.65, minConfidence: 0.6, metadata: { threshold: 0.7 } })).toMatchObject({ passed: true });
    expect((await check.run({ skill: 'classify', output: 'x', confidence: 0.65 })).detail).toMatch(/^unsure:/);
  });
});
