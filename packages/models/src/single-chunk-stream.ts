import type { GenerateResult, StreamPart } from './language-model.js';

/**
 * The stream of a model that produces its whole answer at once (echo, templates, FAQ lookups,
 * classifiers, replays): one `text-delta` with the answer, then `finish` with its usage.
 */
export async function* singleChunkStream(result: GenerateResult | Promise<GenerateResult>): AsyncIterable<StreamPart> {
  const { text, usage, finishReason, metrics, responseModel, servedBy } = await result;
  yield { type: 'text-delta', delta: text };
  yield { type: 'finish', usage, finishReason, metrics, ...(responseModel ? { responseModel } : {}), ...(servedBy ? { servedBy } : {}) };
}
