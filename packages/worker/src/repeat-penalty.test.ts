import { describe, expect, it } from 'vitest';
import { PROSE_REPEAT_PENALTY, STRONG_REPEAT_PENALTY, repeatPenaltyFor, withRepeatPenalty } from './repeat-penalty.js';

describe('repeatPenaltyFor', () => {
  it('gives prose a moderate penalty, a retry after a degeneration verdict a strong one, and extraction none', () => {
    expect(repeatPenaltyFor({ skill: 'generate', feedback: [] })).toBe(PROSE_REPEAT_PENALTY);
    expect(repeatPenaltyFor({ skill: 'extract', feedback: [] })).toBeUndefined();
    expect(repeatPenaltyFor({ skill: 'extract', feedback: ['schema: missing name'] })).toBeUndefined();
    const retry = { skill: 'generate', feedback: ['degeneration: $.answer repeats the sentence "A refund."', 'attempt 1 of 2 failed: retrying'] };
    expect(repeatPenaltyFor(retry)).toBe(STRONG_REPEAT_PENALTY);
    expect(STRONG_REPEAT_PENALTY.penalty).toBeGreaterThan(PROSE_REPEAT_PENALTY.penalty!);
  });

  it('keeps a penalty the caller set', () => {
    const call = { messages: [], repeatPenalty: { penalty: 1 } };
    expect(withRepeatPenalty(call, { skill: 'generate', feedback: [] }).repeatPenalty).toEqual({ penalty: 1 });
  });
});
