import { describe, expect, it } from 'vitest';
import { agreeingWithLatest, normaliseAnswer } from './answer-agreement.js';

describe('answer agreement', () => {
  it('normalises case, spacing and surrounding punctuation', () => {
    expect(normaliseAnswer('A)\n')).toBe('a');
    expect(normaliseAnswer('  The  answer is 42. ')).toBe('the answer is 42');
    expect(normaliseAnswer('...')).toBe('');
  });

  it('reports who agrees with the latest answer', () => {
    const answers = [
      { model: 'tiny', text: 'B' },
      { model: 'small', text: 'A\n' },
      { model: 'medium', text: 'a)' },
    ];
    expect(agreeingWithLatest(answers)).toEqual(['small', 'medium']);
    expect(agreeingWithLatest(answers.slice(0, 2))).toBeUndefined();
    expect(agreeingWithLatest([{ model: 'x', text: '' }, { model: 'y', text: '' }])).toBeUndefined();
  });
});
