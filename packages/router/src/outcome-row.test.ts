import { ErrorCode } from '@troupe/protocol';
import { describe, expect, it } from 'vitest';
import { parseOutcomeJsonl } from './outcome-row.js';

describe('parseOutcomeJsonl', () => {
  it('reads the routing row format and tolerates ungraded models and missing tags', () => {
    const text = [
      JSON.stringify({ id: 'a', prompt: 'p1', task: 'qa', models: { m1: { score: 1, cost_usd: 0.1 }, m2: {} }, responses: { m1: 'A' } }),
      '',
      JSON.stringify({ prompt: 'p2', models: { m1: { score: 0.25, cost_usd: 0 } } }),
    ].join('\n');
    const rows = parseOutcomeJsonl(text);
    expect(rows).toEqual([
      { id: 'a', prompt: 'p1', task: 'qa', outcomes: { m1: { score: 1, costUsd: 0.1 } }, responses: { m1: 'A' } },
      { prompt: 'p2', outcomes: { m1: { score: 0.25, costUsd: 0 } } },
    ]);
  });

  it('names the line of a bad row', () => {
    const good = JSON.stringify({ prompt: 'p', models: {} });
    expect(() => parseOutcomeJsonl(`${good}\n{"prompt": "p", "models": {"m": {"score": 3, "cost_usd": 0}}}`)).toThrow(/line 2: score of "m" is 3/);
    expect(() => parseOutcomeJsonl('{oops')).toThrow(expect.objectContaining({ code: ErrorCode.BAD_REQUEST }));
  });
});
