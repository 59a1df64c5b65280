import { describe, expect, it } from 'vitest';
import { formatMs, formatTable, formatUsd } from './text-table.js';

describe('formatTable', () => {
  it('pads every column to its widest cell and right-aligns numbers', () => {
    const lines = formatTable(
      ['service', 'requests'],
      [
        ['troupe-judge', '12'],
        ['troupe-planner', '3'],
      ],
      ['left', 'right'],
    );
    expect(lines).toEqual(['service         requests', '──────────────  ────────', 'troupe-judge          12', 'troupe-planner         3']);
  });

  it('counts "→" as one column', () => {
    const lines = formatTable(['models'], [['a → b'], ['abcde']]);
    expect(lines[2]).toBe('a → b');
    expect(lines[1]).toBe('──────');
  });
});

describe('formatUsd and formatMs', () => {
  it('keep fractions of a cent and switch to seconds past 10 s', () => {
    expect(formatUsd(0.000123)).toBe('$0.000123');
    expect(formatUsd(1.5)).toBe('$1.5000');
    expect(formatUsd(undefined)).toBe('–');
    expect(formatMs(840.4)).toBe('840 ms');
    expect(formatMs(12_345)).toBe('12.3 s');
  });
});
