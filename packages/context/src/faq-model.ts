import type { CallOptions, GenerateResult, LanguageModel, StreamPart } from '@troupe/models';
import { singleChunkStream } from '@troupe/models';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import type { ContextStore } from './context-store.js';

export interface FaqModelOptions {
  store: ContextStore;
  /** The FAQ collection: JSON items with `question` and `answer` fields (or any chunk; its text is the answer). */
  collection: string;
  modelId?: string;
  /** Lowest cosine similarity between the ticket and the FAQ entry that still answers it. Default 0.5. */
  minSimilarity?: number;
}

/**
 * A template model with no LLM: answers with the best-matching entry of a FAQ collection (hybrid
 * retrieval), costs nothing, and refuses (NO_ROUTE) when no entry is close enough, so the pipeline
 * or the judge can send the ticket elsewhere.
 *
 * @example
 * const faq = createFaqModel({ store, collection: 'support-faq' });
 * const { text } = await faq.doGenerate({ messages: [{ role: 'user', content: 'How do I reset my password?' }] });
 */
export function createFaqModel(options: FaqModelOptions): LanguageModel {
  const minSimilarity = options.minSimilarity ?? 0.5;
  const generate = async (call: CallOptions): Promise<GenerateResult> => {
    const started = performance.now();
    const question = call.messages.findLast((message) => message.role === 'user')?.content ?? '';
    const [best] = await options.store.retrieve({ collection: options.collection, query: question, k: 1 });
    if (!best || best.similarity < minSimilarity) throw new TroupeError(ErrorCode.NO_ROUTE, 'no FAQ entry answers the question', { retryable: false });
    const answer = typeof best.metadata.answer === 'string' ? best.metadata.answer : best.text;
    return {
      text: call.responseSchema ? JSON.stringify({ reply: answer }) : answer,
      usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 },
      finishReason: 'stop',
      metrics: { latencyMs: performance.now() - started, queueWaitMs: 0 },
    };
  };
  return {
    specificationVersion: 'troupe.v1',
    provider: 'template',
    modelId: options.modelId ?? `faq-${options.collection}`,
    doGenerate: generate,
    doStream: (call): AsyncIterable<StreamPart> => singleChunkStream(generate(call)),
  };
}
