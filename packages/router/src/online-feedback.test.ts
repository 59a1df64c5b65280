import { describe, expect, it } from 'vitest';
import { scoreFromVerdict } from './online-feedback.js';
import { createRouter } from './router.js';

describe('scoreFromVerdict', () => {
  it('uses the judge score when present and pass/fail otherwise', () => {
    expect(scoreFromVerdict({ decision: 'retry', score: 0.4 })).toBe(0.4);
    expect(scoreFromVerdict({ decision: 'pass' })).toBe(1);
    expect(scoreFromVerdict({ decision: 'reroute' })).toBe(0);
    expect(scoreFromVerdict({ decision: 'escalate' })).toBe(0);
  });

  it('feeds verdicts into the router so a failing model loses the route', () => {
    const router = createRouter({ features: { hashBits: 12 } });
    const prompt = 'Extract the invoice total as JSON.';
    for (const model of ['cheap', 'dear']) router.update({ prompt, task: 'extract', model, score: 1, costUsd: model === 'cheap' ? 0.001 : 0.01 });
    expect(router.route({ prompt, task: 'extract' }).model).toBe('cheap');
    for (let step = 0; step < 10; step += 1) {
      router.update({ prompt, task: 'extract', model: 'cheap', score: scoreFromVerdict({ decision: 'reroute' }), costUsd: 0.001 });
      router.update({ prompt, task: 'extract', model: 'dear', score: scoreFromVerdict({ decision: 'pass' }), costUsd: 0.01 });
    }
    expect(router.route({ prompt, task: 'extract' }).model).toBe('dear');
  });
});
