import { describe, expect, it } from 'vitest';
import { dateWithin, findDates, findMoney, findNumbers, normaliseText, parseNumber } from './fact-values.js';

describe('fact values', () => {
  it('reads numbers with separators and scales, and leaves digits inside names alone', () => {
    expect(parseNumber('1,200.50')).toBe(1200.5);
    expect(parseNumber('1.2', ' million')).toBe(1_200_000);
    expect(findNumbers('GPT-4 and A4 paper, 3.50 kg, 5k runners').map((span) => span.value)).toEqual([[3.5], [5000, 5]]);
  });

  it('reads money in symbol, code and word forms as currency and amount', () => {
    expect(findMoney('$1.2M, USD 1,200,000, 30 euros, €30, £5bn').map((span) => span.value)).toEqual([
      'USD:1200000',
      'USD:1200000',
      'EUR:30',
      'EUR:30',
      'GBP:5000000000',
    ]);
  });

  it('reads dates at the precision written, keeping both readings of 03/04/2024', () => {
    const values = findDates('on 2024-03-05, 5th March 2024, March 5, May 2024 and 03/04/2024').map((span) => span.value);
    expect(values).toEqual([
      [{ year: 2024, month: 3, day: 5 }],
      [{ year: 2024, month: 3, day: 5 }],
      [{ month: 3, day: 5 }],
      [{ year: 2024, month: 5 }],
      [
        { year: 2024, month: 3, day: 4 },
        { year: 2024, month: 4, day: 3 },
      ],
    ]);
    // "you may 5" is not a date: month names must be capitalised.
    expect(findDates('you may 5 times')).toEqual([]);
  });

  it('treats a less precise date as within a more precise one, never the reverse', () => {
    expect(dateWithin({ year: 2024, month: 3 }, { year: 2024, month: 3, day: 5 })).toBe(true);
    expect(dateWithin({ year: 2024, month: 3, day: 5 }, { year: 2024, month: 3 })).toBe(false);
    expect(dateWithin({ month: 3, day: 6 }, { year: 2024, month: 3, day: 5 })).toBe(false);
  });

  it('normalises case, accents, possessives and punctuation', () => {
    expect(normaliseText("Zürich's  U.S.-based Café!")).toBe('zurich u s based cafe');
  });
});
