import { describe, expect, it } from 'vitest';
import { createEchoModel, type CallOptions, type LanguageModel } from '@troupe/models';
import { createLlmRubricCheck } from './llm-rubric-check.js';

/** A hand-written judge: answers with whatever `reply` returns (or throws), and records its calls. */
function fakeModel(modelId: string, reply: (call: CallOptions) => string | Promise<string>): LanguageModel & { calls: CallOptions[] } {
  const calls: CallOptions[] = [];
  return {
    specificationVersion: 'troupe.v1',
    provider: 'fake',
    modelId,
    calls,
    async doGenerate(call) {
      calls.push(call);
      const text = await reply(call);
      return {
        text,
        usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0 },
        finishReason: 'stop',
        metrics: { latencyMs: 1, queueWaitMs: 0 },
      };
    },
    doStream() {
      throw new Error('not used by the rubric check');
    },
  };
}

const answer = (score: number, pass: boolean, reasons: string[] = ['ok']): string => JSON.stringify({ reasons, score, pass });
const input = { skill: 'summarise', context: 'The sky is blue.', instructions: 'Summarise.', output: { summary: 'The sky is blue.' } };
const rubric = 'The summary is faithful to the context.';

describe('llm rubric check', () => {
  it('asks for JSON through responseSchema and reports the echo model judging a fail', async () => {
    // The echo model answers with the smallest instance of the schema: score 0, pass false.
    const result = await createLlmRubricCheck({ models: [createEchoModel({ modelId: 'local-echo' })], rubric }).run(input);
    expect(result).toEqual({ name: 'rubric', passed: false, score: 0, detail: 'judged by echo/local-echo: score 0 < 0.7' });
  });

  it('sends the rubric, instructions, context and output, and passes a confident judge', async () => {
    const local = fakeModel('local', () => `Sure!\n\`\`\`json\n${answer(0.9, true, ['faithful', 'short'])}\n\`\`\``);
    const result = await createLlmRubricCheck({ models: [local], rubric }).run(input);
    expect(result).toEqual({ name: 'rubric', passed: true, score: 0.9, detail: 'judged by fake/local: score 0.9 ≥ 0.7; reasons: faithful; short' });
    const call = local.calls[0];
    expect(call?.responseSchema).toMatchObject({ required: ['reasons', 'score', 'pass'] });
    expect(call?.temperature).toBe(0);
    const prompt = call?.messages.map((message) => message.content).join('\n') ?? '';
    for (const part of [rubric, 'Summarise.', 'CONTEXT GIVEN TO THE WORKER:\nThe sky is blue.', '"summary": "The sky is blue."']) expect(prompt).toContain(part);
  });

  it.each([
    ['malformed JSON', () => '{"reasons": ["a"], "score": 0.9, pass: true}', /malformed JSON/],
    ['JSON cut off by the token limit', () => '{"reasons": ["cut off', /no JSON object in the reply/],
    ['no JSON at all', () => 'I think it is fine.', /no JSON object in the reply/],
    ['a score out of range', () => answer(1.5, true), /wrong shape: \/score must be <= 1/],
    ['a missing field', () => JSON.stringify({ reasons: [], score: 0.9 }), /wrong shape: \(root\) must have required property 'pass'/],
    ['a self-contradiction', () => answer(0.95, false), /contradicts itself: score 0.95 but pass false/],
    ['a throw', () => Promise.reject(new Error('connection reset')), /failed: connection reset/],
    ['a borderline score', () => answer(0.65, false), /borderline score 0.65 \(threshold 0.7 ± 0.1\)/],
  ])('escalates to the next model after %s', async (_name, reply, why) => {
    const local = fakeModel('local', reply);
    const frontier = fakeModel('frontier', () => answer(0.2, false, ['invented a fact']));
    const result = await createLlmRubricCheck({ models: [local, frontier], rubric }).run(input);
    expect(result.passed).toBe(false);
    expect(result.score).toBe(0.2);
    expect(result.detail).toMatch(/^judged by fake\/frontier: score 0.2 < 0.7; reasons: invented a fact \(escalated: fake\/local /);
    expect(result.detail).toMatch(why);
    expect([local.calls.length, frontier.calls.length]).toEqual([1, 1]);
  });

  it('does not escalate a confident answer, and trusts every score with a zero band', async () => {
    const frontier = fakeModel('frontier', () => answer(1, true));
    const sure = await createLlmRubricCheck({ models: [fakeModel('local', () => answer(0.1, false)), frontier], rubric }).run(input);
    expect(sure.detail).toBe('judged by fake/local: score 0.1 < 0.7; reasons: ok');
    const zeroBand = await createLlmRubricCheck({ models: [fakeModel('local', () => answer(0.65, false)), frontier], rubric, uncertainBand: 0 }).run(input);
    expect(zeroBand).toMatchObject({ passed: false, score: 0.65 });
    expect(frontier.calls).toHaveLength(0);
  });

  it('is unsure, never passing, when every judge is unsure', async () => {
    const models = [fakeModel('local', () => answer(0.72, true)), fakeModel('frontier', () => 'not json')];
    const result = await createLlmRubricCheck({ models, rubric }).run(input);
    expect(result.passed).toBe(false);
    expect(result.score).toBeUndefined();
    expect(result.detail).toBe(
      'unsure: no judge was sure: fake/local borderline score 0.72 (threshold 0.7 ± 0.1); fake/frontier no JSON object in the reply (8 characters)',
    );
  });

  it('times out a judge that ignores its signal, then asks the next', async () => {
    const hanging = fakeModel('hanging', () => new Promise<string>(() => {}));
    const started = performance.now();
    const result = await createLlmRubricCheck({ models: [hanging, fakeModel('frontier', () => answer(0.8, true))], rubric, timeoutMs: 50 }).run(input);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(result).toMatchObject({ passed: true, score: 0.8 });
    expect(result.detail).toContain('(escalated: fake/hanging timed out after 50 ms)');
    expect(hanging.calls[0]?.signal?.aborted).toBe(true);
  });

  it('lets a cancellation by the caller through instead of calling it unsure', async () => {
    const controller = new AbortController();
    const local = fakeModel('local', () => {
      controller.abort(new Error('task cancelled'));
      return new Promise<string>(() => {});
    });
    const frontier = fakeModel('frontier', () => answer(0.9, true));
    const run = createLlmRubricCheck({ models: [local, frontier], rubric }).run(input, { signal: controller.signal });
    await expect(run).rejects.toThrow('task cancelled');
    expect(frontier.calls).toHaveLength(0);
  });

  it('cuts long inputs to the budget and refuses an empty model list', async () => {
    const local = fakeModel('local', () => answer(0.9, true));
    await createLlmRubricCheck({ models: [local], rubric, maxInputChars: 400 }).run({ ...input, output: 'x'.repeat(1_000) });
    expect(local.calls[0]?.messages[1]?.content).toContain('[… 800 characters cut]');
    expect(() => createLlmRubricCheck({ models: [], rubric })).toThrow(RangeError);
  });
});
