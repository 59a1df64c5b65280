import { describe, expect, it } from 'vitest';
import { createPolicyCheck } from './policy-check.js';

describe('policy check', () => {
  const check = createPolicyCheck({
    forbidden: [
      { pattern: 'as an AI language model', reason: 'no model disclaimers' },
      { pattern: 'kill', reason: 'no violence' },
      { pattern: /\bguarantee(?:d|s)?\b/gi, reason: 'no guarantees' },
    ],
    required: [{ pattern: 'Kind regards', reason: 'sign off politely' }],
    requiredFields: ['summary', 'items.0.title'],
    maxLength: 200,
  });

  it('passes output that meets every rule, without word-fragment false alarms', async () => {
    const output = { summary: 'Sharpen your skill set.', items: [{ title: 'Plan' }], closing: 'Kind   regards' };
    expect(await check.run({ skill: 'write', output })).toEqual({ name: 'policy', passed: true, score: 1 });
  });

  it('gives one reason per broken rule, with the path of forbidden text', async () => {
    const output = { summary: '', items: [], body: ['fine', 'As an  AI language model, I GUARANTEE it'] };
    const result = await check.run({ skill: 'write', output });
    expect(result.passed).toBe(false);
    expect(result.score).toBe(0);
    expect(result.detail).toBe(
      [
        'missing required field summary',
        'missing required field items.0.title',
        'forbidden at $.body[1]: no model disclaimers',
        'forbidden at $.body[1]: no guarantees',
        'required phrase missing: sign off politely',
      ].join('; '),
    );
  });

  it('matches a global RegExp the same way on every run', async () => {
    const output = { summary: 'guaranteed', items: [{ title: 't' }], closing: 'Kind regards' };
    const first = await check.run({ skill: 'write', output });
    const second = await check.run({ skill: 'write', output });
    expect(first.detail).toBe('forbidden at $.summary: no guarantees');
    expect(second.detail).toBe(first.detail);
  });

  it('measures a string by its length and anything else by its JSON', async () => {
    const short = createPolicyCheck({ maxLength: 5 });
    expect((await short.run({ skill: 'x', output: 'abcde' })).passed).toBe(true);
    expect((await short.run({ skill: 'x', output: 'abcdef' })).detail).toBe('too long: 6 characters, at most 5');
    expect((await short.run({ skill: 'x', output: { a: 1 } })).detail).toBe('too long: 7 characters, at most 5');
  });

  it('does not let inherited properties satisfy a required field', async () => {
    const result = await createPolicyCheck({ requiredFields: ['constructor'], name: 'shape' }).run({ skill: 'x', output: {} });
    expect(result).toMatchObject({ name: 'shape', passed: false, detail: 'missing required field constructor' });
  });
});
