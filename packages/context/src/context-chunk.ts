import { createHash } from 'node:crypto';
import { z } from 'zod';
import { Id } from '@troupe/protocol';

/** A collection name: the same alphabet as ids, so it is one KV key token. */
export const CollectionName = Id;

/** One stored chunk of a collection, as it lives in the KV bucket. */
export const ContextChunk = z.object({
  collection: z.string(),
  /** The document it came from (a path or caller-given name). */
  source: z.string(),
  text: z.string(),
  metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  /** base64 float32 embedding of `text`. */
  vector: z.string(),
  ingestedAt: z.number(),
});
export type ContextChunk = z.infer<typeof ContextChunk>;

/** Chunk ids hash the text, so the same passage ingested twice (or from two copies of a file) is one chunk. */
export function chunkId(text: string): string {
  return createHash('sha256').update(text.trim()).digest('hex').slice(0, 32);
}

/** A retrieved chunk with its fused score (1 = first in both the keyword and the vector ranking). */
export interface RetrievedChunk {
  id: string;
  source: string;
  text: string;
  metadata: ContextChunk['metadata'];
  score: number;
  /** Cosine similarity to the query (0 when the chunk came from keywords alone). */
  similarity: number;
}
