import { describe, expect, it } from 'vitest';
import { createDegenerationCheck, findDegeneration } from './degeneration-check.js';

describe('degeneration check', () => {
  const check = createDegenerationCheck();

  it('fails the synthesis that repeated one sentence four times (the demo before the gate)', async () => {
    const answer = 'Ada wants a refund. He also wants a refund for a broken bicycle. '.concat('He also wants a refund for a broken bicycle. '.repeat(3));
    const result = await check.run({ skill: 'generate', output: { answer } });
    expect(result.passed).toBe(false);
    expect(result.detail).toContain('repeats the sentence "He also wants a refund for a broken bicycle."');
  });

  it('fails an empty answer, a looping phrase and a runaway answer, and names each', () => {
    expect(findDegeneration({ answer: '   ' }).map((finding) => finding.kind)).toEqual(['empty']);
    expect(findDegeneration('').map((finding) => finding.kind)).toEqual(['empty']);
    // Regression: a structured answer without strings was called empty, so the judge failed `{"ok": true}`.
    expect(findDegeneration({ ok: true, count: 0 })).toEqual([]);
    expect(findDegeneration({}).map((finding) => finding.kind)).toEqual(['empty']);
    expect(findDegeneration({ answer: 'a refund for a refund for a refund for a refund for a refund for a refund' }).map((finding) => finding.kind)).toContain('repeated-ngram');
    const essay = Array.from({ length: 450 }, (_, index) => `word${index}`).join(' ');
    expect(findDegeneration(essay).map((finding) => finding.kind)).toEqual(['runaway-length']);
  });

  it('passes ordinary answers, including JSON with short repeated values', async () => {
    expect((await check.run({ skill: 'generate', output: { answer: 'Ada, your refund for the broken kettle has been approved.' } })).passed).toBe(true);
    expect((await check.run({ skill: 'extract', output: { name: 'Ada', city: 'Paris', country: 'France', alias: 'Ada' } })).passed).toBe(true);
    expect((await check.run({ skill: 'generate', output: 'The capital of France is Paris. Paris is also its largest city.' })).passed).toBe(true);
  });
});
