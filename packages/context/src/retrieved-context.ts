import type { RetrievedChunk } from './context-chunk.js';

/**
 * Renders retrieved chunks as one numbered block: the same text goes into the worker's prompt and
 * to the judge, so the factuality check runs against exactly what the model was shown.
 */
export function formatRetrievedContext(chunks: readonly RetrievedChunk[]): string {
  return chunks.map((chunk, index) => `[${index + 1}] (${chunk.source})\n${chunk.text}`).join('\n\n');
}
