import type { CallOptions, LanguageModel, StreamPart } from '@troupe/models';
import type { TroupeError } from '@troupe/protocol';

/** One scripted outcome: answer `text`, or throw `error` (in a stream: after `afterDeltas` deltas). */
export type Outcome = { text: string } | { error: TroupeError; afterDeltas?: number } | { hang: true };

/** A test model that plays `outcomes` in order (the last one repeats) and records its calls. */
export function scriptedModel(provider: string, modelId: string, outcomes: Outcome[]) {
  const calls: CallOptions[] = [];
  const next = (call: CallOptions): Outcome => {
    calls.push(call);
    return outcomes[Math.min(calls.length - 1, outcomes.length - 1)]!;
  };
  const usage = { inputTokens: 10, outputTokens: 2, cachedInputTokens: 0 };
  const metrics = { latencyMs: 1, queueWaitMs: 0 };
  const model: LanguageModel = {
    specificationVersion: 'troupe.v1',
    provider,
    modelId,
    async doGenerate(call) {
      const outcome = next(call);
      if ('hang' in outcome) return new Promise(() => undefined);
      if ('error' in outcome) throw outcome.error;
      return { text: outcome.text, usage, finishReason: 'stop', metrics };
    },
    async *doStream(call): AsyncIterable<StreamPart> {
      const outcome = next(call);
      if ('hang' in outcome) return await new Promise<never>(() => undefined);
      if ('error' in outcome) {
        for (let index = 0; index < (outcome.afterDeltas ?? 0); index += 1) yield { type: 'text-delta', delta: `part${index} ` };
        throw outcome.error;
      }
      yield { type: 'text-delta', delta: outcome.text };
      yield { type: 'finish', usage, finishReason: 'stop', metrics };
    },
  };
  return { model, calls };
}

export async function collectText(stream: AsyncIterable<StreamPart>): Promise<string> {
  let text = '';
  for await (const part of stream) if (part.type === 'text-delta') text += part.delta;
  return text;
}
