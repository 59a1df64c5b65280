import { describe, expect, it } from 'vitest';
import { ADVISOR_MIN_CONFIDENCE, lowConfidence } from './confidence-flag.js';

describe('lowConfidence', () => {
  const schema = { type: 'object' };
  it('flags structured answers whose least likely token is below the threshold, and nothing else', () => {
    expect(lowConfidence({ outputSchema: schema }, { confidenceMin: 0.32 })).toBe(true);
    expect(lowConfidence({ outputSchema: schema }, { confidenceMin: ADVISOR_MIN_CONFIDENCE })).toBe(false);
    expect(lowConfidence({ outputSchema: schema }, { confidenceMin: 0.6 })).toBe(false);
    expect(lowConfidence({ outputSchema: schema }, {})).toBe(false); // frontier answers carry no confidence
    expect(lowConfidence({}, { confidenceMin: 0.05 })).toBe(false); // free text: the table does not support it
  });
});
