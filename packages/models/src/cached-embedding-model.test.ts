import { describe, expect, it } from 'vitest';
import { createCachedEmbeddingModel } from './cached-embedding-model.js';
import type { EmbeddingModel } from './language-model.js';

function countingModel() {
  const calls: string[][] = [];
  const model: EmbeddingModel = {
    specificationVersion: 'troupe.v1',
    provider: 'test',
    modelId: 'length',
    dimensions: 2,
    async doEmbed(texts) {
      calls.push(texts);
      return { embeddings: texts.map((text) => [text.length, 1]), usage: { inputTokens: texts.length } };
    },
  };
  return { model, calls };
}

describe('cached embedding model', () => {
  it('batches calls made in the same tick and embeds each distinct text once', async () => {
    const { model, calls } = countingModel();
    const cached = createCachedEmbeddingModel(model);
    const vectors = await Promise.all([cached.embed('a'), cached.embed('bb'), cached.embed('a')]);
    expect(vectors).toEqual([[1, 1], [2, 1], [1, 1]]);
    expect(calls).toEqual([['a', 'bb']]);
    await cached.doEmbed(['bb', 'ccc']);
    expect(calls).toEqual([['a', 'bb'], ['ccc']]);
    expect(cached.stats).toMatchObject({ batches: 2, misses: 3 });
  });

  it('drops the least recently used vector past maxEntries and passes errors to every waiter', async () => {
    const { model, calls } = countingModel();
    const cached = createCachedEmbeddingModel(model, { maxEntries: 1 });
    await cached.embed('a');
    await cached.embed('b');
    await cached.embed('a');
    expect(calls).toEqual([['a'], ['b'], ['a']]);
    const failing = createCachedEmbeddingModel({ ...model, doEmbed: async () => Promise.reject(new Error('down')) });
    await expect(Promise.all([failing.embed('x'), failing.embed('y')])).rejects.toThrow('down');
  });
});
