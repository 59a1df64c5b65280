import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * What a cached answer is filed under. These are keys, never embedded text: an answer for one
 * tenant, skill, output schema or model tier is invisible to every other, however similar the question.
 */
export interface CachePartition {
  tenant: string;
  skill: string;
  /** The node's output JSON Schema; answers of another shape never match. */
  outputSchema?: unknown;
  /** `local`, `frontier`, or a model id: an answer from a weaker tier does not serve a stronger one. */
  modelTier: string;
}

/** One stored answer, as it lives in the KV bucket (validated on every read). */
export const CacheEntry = z.object({
  tenant: z.string(),
  skill: z.string(),
  partition: z.string(),
  question: z.string(),
  /** base64 float32 embedding of `question`. */
  vector: z.string(),
  output: z.unknown(),
  text: z.string().optional(),
  model: z.string(),
  /** What the original answer cost: what each hit saves. */
  costUsd: z.number().nonnegative(),
  createdAt: z.number(),
  expiresAt: z.number(),
});
export type CacheEntry = z.infer<typeof CacheEntry>;

const sha = (text: string, length: number) => createHash('sha256').update(text).digest('hex').slice(0, length);

/** Stable JSON (sorted keys) so two equal schemas written in a different order hash the same. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableJson(record[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** `<tenant>.<skill>.<hash of schema and tier>`: the KV key prefix, so invalidation is a key filter. */
export function partitionKey(partition: CachePartition): string {
  return `${partition.tenant}.${partition.skill}.${sha(stableJson({ schema: partition.outputSchema ?? null, tier: partition.modelTier }), 16)}`;
}

/** Case, spacing and end punctuation do not change a question; anything else does. */
export function normaliseQuestion(question: string): string {
  return question.trim().toLowerCase().replace(/\s+/g, ' ').replace(/[\s?.!]+$/, '');
}

/** The entry's full key: partition plus the hash of the normalised question (the exact-hash lookup). */
export function entryKey(partition: CachePartition, question: string): string {
  return `${partitionKey(partition)}.${sha(normaliseQuestion(question), 32)}`;
}
