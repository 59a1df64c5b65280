import { describe, expect, it } from 'vitest';
import type { LanguageModel } from '@troupe/models';
import { SubtaskRequest } from '@troupe/protocol';
import { runSubtask } from './run-subtask.js';

function scripted(modelId: string, answers: string[]): LanguageModel & { calls: number } {
  const model = {
    specificationVersion: 'troupe.v1' as const,
    provider: 'scripted',
    modelId,
    calls: 0,
    async doGenerate() {
      const text = answers[model.calls] ?? answers.at(-1)!;
      model.calls += 1;
      return { text, usage: { inputTokens: 100, outputTokens: 10, cachedInputTokens: 0 }, finishReason: 'stop' as const, metrics: { latencyMs: 5, queueWaitMs: 0 } };
    },
    async *doStream() {
      yield { type: 'text-delta' as const, delta: answers[0]! };
    },
  };
  return model;
}

const schema = { type: 'object', properties: { label: { type: 'string' } }, required: ['label'] };
const request = (advisor?: string) =>
  SubtaskRequest.parse({ taskId: 't', tenant: 'default', nodeId: 'n', attempt: 1, skill: 'classify', instructions: 'label it', input: 'x', outputSchema: schema, timeoutMs: 1_000, ...(advisor ? { advisor } : {}) });

describe('runSubtask with an advisor', () => {
  const pricing = { small: { inputPerMTok: 0, outputPerMTok: 0 }, big: { inputPerMTok: 10, outputPerMTok: 30 } };

  it('answers alone when the small model is confident, and never pays the advisor', async () => {
    const small = scripted('small', ['{"answer":{"label":"billing"},"unsure":false}']);
    const big = scripted('big', ['{"label":"wrong"}']);
    const result = await runSubtask(request('big'), {
      resolveModel: (subtask) => (subtask.model === 'big' ? { model: big, pricing: pricing.big } : { model: small, pricing: pricing.small }),
    });
    expect(result.output).toEqual({ label: 'billing' });
    expect(result.flagged).toBe(false);
    expect(big.calls).toBe(0);
    expect(result.costUsd).toBe(0);
  });

  it('consults the advisor only for a flagged step and charges both calls', async () => {
    const small = scripted('small', ['{"answer":{"label":"?"},"unsure":true}']);
    const big = scripted('big', ['{"label":"refund"}']);
    const result = await runSubtask(request('big'), {
      resolveModel: (subtask) => (subtask.model === 'big' ? { model: big, pricing: pricing.big } : { model: small, pricing: pricing.small }),
    });
    expect(result).toMatchObject({ output: { label: 'refund' }, flagged: true, advisorModel: 'big', model: 'small' });
    expect(result.usage).toEqual({ inputTokens: 200, outputTokens: 20, cachedInputTokens: 0 });
    expect(result.costUsd).toBeCloseTo((100 * 10 + 10 * 30) / 1e6);
  });

  it('turns unparseable JSON into a retryable OUTPUT_INVALID error', async () => {
    const small = scripted('small', ['{"label": ']);
    const error = await runSubtask(request(), { resolveModel: () => ({ model: small, pricing: pricing.small }) }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'OUTPUT_INVALID', retryable: true });
  });
});
