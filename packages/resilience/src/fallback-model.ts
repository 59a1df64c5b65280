import { ErrorCode, getTroupeErrorFromUnknown, TroupeError } from '@troupe/protocol';
import type { CallOptions, LanguageModel, StreamPart } from '@troupe/models';
import type { Logger } from './logger.js';
import { openStream, restOf } from './opened-stream.js';

/** A model in a fallback chain; `contextSize` (tokens) enables context-window fallback. */
export interface FallbackEntry {
  model: LanguageModel;
  contextSize?: number;
}

export interface FallbackOptions {
  logger?: Logger;
  /** Observes each hop, e.g. for metrics. */
  onFallback?: (hop: { from: LanguageModel; to: LanguageModel; error: TroupeError }) => void;
}

const entryOf = (item: LanguageModel | FallbackEntry): FallbackEntry => ('model' in item ? item : { model: item });

/**
 * The model after `index` to try for `error`, or -1 to give up. Retryable failures and open
 * breakers go to the next model; CONTEXT_OVERFLOW skips to the next model with a larger
 * context window; anything else (auth, invalid output, cancellation) is final.
 */
function nextIndex(entries: FallbackEntry[], index: number, error: TroupeError): number {
  if (error.code === ErrorCode.CANCELLED) return -1;
  if (error.code === ErrorCode.CONTEXT_OVERFLOW) {
    const current = entries[index]?.contextSize;
    // Without a known window, any next model is worth a try; with one, only a larger window.
    if (current === undefined) return index + 1 < entries.length ? index + 1 : -1;
    return entries.findIndex((entry, candidate) => candidate > index && (entry.contextSize ?? 0) > current);
  }
  return error.retryable && index + 1 < entries.length ? index + 1 : -1;
}

/**
 * Tries models in order until one answers. A stream falls back only until its first part has
 * arrived. The last error is thrown with `details.tried` naming every model attempted.
 *
 * @example
 * const model = createFallbackModel([{ model: claude, contextSize: 200_000 }, { model: gpt, contextSize: 1_000_000 }, local]);
 */
export function createFallbackModel(models: ReadonlyArray<LanguageModel | FallbackEntry>, options: FallbackOptions = {}): LanguageModel {
  const entries = models.map(entryOf);
  if (entries.length === 0) throw new TroupeError(ErrorCode.CONFIG_INVALID, 'a fallback chain needs at least one model');

  async function run<T>(call: CallOptions, attempt: (model: LanguageModel) => Promise<T>): Promise<T> {
    const tried: Array<{ provider: string; modelId: string; code: string }> = [];
    for (let index = 0; ; ) {
      const { model } = entries[index]!;
      try {
        return await attempt(model);
      } catch (thrown) {
        const error = getTroupeErrorFromUnknown(thrown);
        tried.push({ provider: model.provider, modelId: model.modelId, code: error.code });
        const next = call.signal?.aborted ? -1 : nextIndex(entries, index, error);
        if (next === -1) {
          if (tried.length === 1) throw error;
          throw new TroupeError(error.code, `${error.message} (after trying ${tried.length} models)`, {
            cause: error,
            retryable: error.retryable,
            details: { ...error.details, tried },
          });
        }
        const to = entries[next]!.model;
        options.logger?.info({ from: `${model.provider}.${model.modelId}`, to: `${to.provider}.${to.modelId}`, code: error.code }, 'falling back');
        options.onFallback?.({ from: model, to, error });
        index = next;
      }
    }
  }

  return {
    specificationVersion: 'troupe.v1',
    provider: 'fallback',
    modelId: entries.map(({ model }) => `${model.provider}.${model.modelId}`).join('>'),
    doGenerate: (call) => run(call, (model) => model.doGenerate(call)),
    async *doStream(call): AsyncIterable<StreamPart> {
      yield* restOf(await run(call, (model) => openStream(model.doStream(call))));
    },
  };
}
