import { describe, expect, it } from 'vitest';
import { createLoadProgress } from './load-progress.js';

const fractions = Array.from({ length: 51 }, (_, index) => index / 50);

describe('createLoadProgress', () => {
  it('prints a few lines, not one per percent, when the output is not a terminal (issue 13)', () => {
    let text = '';
    const progress = createLoadProgress({ isTTY: false, write: (chunk) => (text += chunk) });
    for (const fraction of fractions) progress.update('stories260k', fraction);
    expect(text.split('\n').filter(Boolean)).toEqual(['  loading stories260k 0%', '  loading stories260k 50%', '  loaded stories260k']);
  });

  it('redraws one bar in place on a terminal and ends its line at 100 %', () => {
    let text = '';
    const progress = createLoadProgress({ isTTY: true, write: (chunk) => (text += chunk) });
    for (const fraction of fractions) progress.update('stories260k', fraction);
    expect(text.split('\n')).toHaveLength(2);
    expect(text.split('\r').filter(Boolean)).toHaveLength(51);
    expect(text.endsWith(`[${'█'.repeat(24)}] 100%\n`)).toBe(true);
  });
});
