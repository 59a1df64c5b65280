import { ErrorCode, TroupeError } from '@troupe/protocol';
import type { CallOptions, GenerateResult, LanguageModel, StreamPart } from './language-model.js';
import { singleChunkStream } from './single-chunk-stream.js';

/**
 * A model with no LLM behind it: picks the canned answer whose keyword appears in the user's
 * message. FAQ answers cost nothing and take microseconds; no match is an error, so the
 * pipeline (or the judge) can send the ticket elsewhere.
 */
export function createTemplateModel(options: { modelId: string; templates: Record<string, string> }): LanguageModel {
  const entries = Object.entries(options.templates).map(([keyword, answer]) => [keyword.toLowerCase(), answer] as const);
  const generate = (call: CallOptions): GenerateResult => {
    const started = performance.now();
    const question = (call.messages.at(-1)?.content ?? '').toLowerCase();
    const match = entries.find(([keyword]) => question.includes(keyword));
    if (!match) throw new TroupeError(ErrorCode.NO_ROUTE, `no FAQ template matches the question`, { retryable: false });
    // A template that is itself JSON (a canned plan, a canned label) is returned as is.
    const text = call.responseSchema && !isJson(match[1]) ? JSON.stringify({ reply: match[1] }) : match[1];
    return {
      text,
      usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 },
      finishReason: 'stop',
      metrics: { latencyMs: performance.now() - started, queueWaitMs: 0 },
    };
  };
  return {
    specificationVersion: 'troupe.v1',
    provider: 'template',
    modelId: options.modelId,
    async doGenerate(call) {
      return generate(call);
    },
    doStream: (call): AsyncIterable<StreamPart> => singleChunkStream(generate(call)),
  };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
