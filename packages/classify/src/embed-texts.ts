import type { EmbeddingModel } from '@troupe/models';

/** Embeds many texts in batches, so one huge call never holds the model for minutes. */
export async function embedTexts(
  embedder: EmbeddingModel,
  texts: readonly string[],
  options: { batchSize?: number; signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<number[][]> {
  const batchSize = options.batchSize ?? 16;
  const vectors: number[][] = [];
  for (let start = 0; start < texts.length; start += batchSize) {
    const { embeddings } = await embedder.doEmbed(texts.slice(start, start + batchSize), options.signal ? { signal: options.signal } : {});
    vectors.push(...embeddings);
    options.onProgress?.(vectors.length, texts.length);
  }
  return vectors;
}
