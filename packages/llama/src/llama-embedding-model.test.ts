import { fileURLToPath } from 'node:url';
import { TroupeError } from '@troupe/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { createLlamaEmbeddingModel } from './llama-embedding-model.js';
import { getSharedLlamaRuntime } from './llama-runtime.js';

const modelsDirectory = process.env.TROUPE_MODELS_DIR ?? fileURLToPath(new URL('../../../../shared/models', import.meta.url));

async function failure(promise: Promise<unknown>): Promise<TroupeError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  if (!(error instanceof TroupeError)) throw new Error(`expected a TroupeError, got ${String(error)}`);
  return error;
}

afterAll(() => getSharedLlamaRuntime().dispose());

describe('llama embedding model', () => {
  it.each([
    ['stories260K.gguf', 64],
    ['llama-2-tiny-random.gguf', 8],
  ])('embeds texts from %s into vectors of the model dimension (%i)', async (file, dimensions) => {
    await using embedder = await createLlamaEmbeddingModel({ id: file, provider: 'llama-cpp', path: file, threads: 1 }, { modelsDirectory });
    expect(embedder.dimensions).toBe(dimensions);
    const texts = ['a cat sat on the mat', 'a kitten', 'stock markets fell'];
    const { embeddings, usage } = await embedder.doEmbed(texts);
    expect(embeddings).toHaveLength(3);
    for (const vector of embeddings) {
      expect(vector).toHaveLength(dimensions);
      expect(vector.every(Number.isFinite)).toBe(true);
      expect(vector.some((value) => value !== 0)).toBe(true);
    }
    expect(embeddings[0]).not.toEqual(embeddings[2]);
    expect(usage.inputTokens).toBeGreaterThanOrEqual(texts.join(' ').split(' ').length);
    // Same text, same vector: embeddings are deterministic.
    const again = await embedder.doEmbed(['a cat sat on the mat']);
    expect(again.embeddings[0]).toEqual(embeddings[0]);
  });

  it('refuses oversized and empty texts, and calls after dispose', async () => {
    const embedder = await createLlamaEmbeddingModel(
      { id: 'stories-embed-small', provider: 'llama-cpp', path: 'stories260K.gguf', threads: 1, contextSize: 64 },
      { modelsDirectory },
    );
    expect((await failure(embedder.doEmbed(['word '.repeat(200)]))).code).toBe('CONTEXT_OVERFLOW');
    expect((await failure(embedder.doEmbed(['fine', '']))).code).toBe('BAD_REQUEST');
    const controller = new AbortController();
    controller.abort();
    expect((await failure(embedder.doEmbed(['fine'], { signal: controller.signal }))).code).toBe('CANCELLED');
    expect((await embedder.doEmbed(['fine'])).embeddings).toHaveLength(1);
    await embedder.dispose();
    await embedder.dispose();
    expect((await failure(embedder.doEmbed(['fine']))).code).toBe('DISPOSED');
  });
});
