import { describe, expect, it } from 'vitest';
import { createFactualityCheck } from './factuality-check.js';

const context =
  'Acme Corporation, based in Berlin, hired three engineers in 2023. Its CEO, Maria Lopez, said revenue reached €2.5 million ' +
  'on 2024-01-15. Questions go to press@acme.example.';

describe('factuality check', () => {
  const check = createFactualityCheck();

  it('passes a paraphrase that adds no new facts', async () => {
    const output = {
      summary: 'In 2023, Acme Corporation (Berlin) took on 3 engineers. CEO Maria Lopez reported revenue of EUR 2,500,000 on 15 January 2024.',
      company: 'Acme Corporation',
      city: 'Berlin',
      contact: 'press@acme.example',
    };
    const result = await check.run({ skill: 'summarise', context, output });
    expect(result).toEqual({ name: 'factuality', passed: true, score: 1, detail: '8/8 facts supported by the context' });
  });

  it('fails invented numbers, names, currencies and dates, and lists them', async () => {
    const output = {
      summary: 'In 2023 Acme Corporation hired 5 engineers under CTO John Doe. Revenue reached $2.5 million on 16 January 2024.',
      city: 'Munich',
    };
    const result = await check.run({ skill: 'summarise', context, output });
    expect(result.passed).toBe(false);
    expect(result.score).toBeCloseTo(2 / 7);
    expect(result.detail).toBe(
      '2/7 facts supported by the context; unsupported: money "$2.5 million" at $.summary, date "16 January 2024" at $.summary, ' +
        'number "5" at $.summary, entity "CTO John Doe" at $.summary, entity "Munich" at $.city',
    );
  });

  it('is unsure, not passing, without a context', async () => {
    const result = await check.run({ skill: 'summarise', output: 'Acme hired 3 engineers.' });
    expect(result.passed).toBe(false);
    expect(result.score).toBeUndefined();
    expect(result.detail).toMatch(/^unsure:/);
    expect((await check.run({ skill: 'summarise', context: '   ', output: 'x' })).detail).toMatch(/^unsure:/);
  });

  it('passes output with no checkable facts', async () => {
    const result = await check.run({ skill: 'summarise', context, output: 'it went well overall.' });
    expect(result).toMatchObject({ passed: true, score: 1, detail: 'no checkable facts in the output' });
  });

  it('skips schema labels and ignored terms, and counts a repeated fact once', async () => {
    const outputSchema = { type: 'object', properties: { sentiment: { enum: ['Positive', 'Negative'] } } };
    const output = { sentiment: 'Positive', by: 'Troupe', a: 'Berlin', b: 'Berlin' };
    const result = await createFactualityCheck({ ignore: ['troupe'] }).run({ skill: 'classify', context, outputSchema, output });
    expect(result).toMatchObject({ passed: true, detail: '1/1 facts supported by the context' });
  });

  it('passes at a lower bar when configured, and redacts emails in the detail', async () => {
    const output = { a: 'Berlin', b: 'Maria Lopez', c: 'Write to boss@acme.example' };
    const result = await createFactualityCheck({ minSupported: 0.6 }).run({ skill: 'x', context, output });
    expect(result.passed).toBe(true);
    expect(result.score).toBeCloseTo(2 / 3);
    expect(result.detail).toBe('2/3 facts supported by the context; unsupported: email …le at $.c');
    expect(result.detail).not.toContain('boss');
  });
});
