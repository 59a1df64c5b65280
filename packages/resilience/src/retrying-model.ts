import type { LanguageModel, StreamPart } from '@troupe/models';
import { openStream, restOf } from './opened-stream.js';
import { withRetry, type RetryOptions } from './with-retry.js';

/**
 * Retries a model's calls with `withRetry`. A stream is retried only until its first part has
 * arrived: after that, text has reached the caller and a replay would duplicate it.
 */
export function createRetryingModel(model: LanguageModel, options: Omit<RetryOptions, 'signal'> = {}): LanguageModel {
  return {
    specificationVersion: 'troupe.v1',
    provider: model.provider,
    modelId: model.modelId,
    doGenerate: (call) => withRetry(() => model.doGenerate(call), { ...options, ...(call.signal ? { signal: call.signal } : {}) }),
    async *doStream(call): AsyncIterable<StreamPart> {
      const opened = await withRetry(() => openStream(model.doStream(call)), { ...options, ...(call.signal ? { signal: call.signal } : {}) });
      yield* restOf(opened);
    },
  };
}
