import { z } from 'zod';
import { ErrorCode, TroupeError } from '@troupe/protocol';

/**
 * A trained classifier as it is stored (file or NATS KV): everything a worker needs to predict,
 * plus the figures training chose it by. Float arrays travel as base64 of little-endian float32.
 */
export const ClassifierArtifact = z.object({
  format: z.literal('troupe.classifier.v1'),
  name: z.string().regex(/^[A-Za-z0-9_-]+$/),
  /** Content hash of the weights and settings: two deploys of the same training are the same version. */
  version: z.string().min(1),
  createdAt: z.string(),
  kind: z.enum(['softmax', 'nearest-neighbour']),
  /** Registry id of the embedding model the vectors came from; predictions must use the same one. */
  embeddingModel: z.string().min(1),
  dimensions: z.number().int().positive(),
  labels: z.array(z.string().min(1)).min(2),
  /** softmax: `labels × dimensions` weights; nearest-neighbour: one normalised example per row. */
  weights: z.string(),
  /** softmax: one bias per label. */
  bias: z.string().optional(),
  /** nearest-neighbour: the label index of each example row. */
  exampleLabels: z.array(z.number().int().nonnegative()).optional(),
  /** Answer only at or above this confidence; below it the node escalates. */
  threshold: z.number().min(0).max(1),
  /** Below this best cosine similarity to any training example's class centroid, the input is out of scope. */
  similarityFloor: z.number().min(-1).max(1),
  /** Normalised class centroids (labels × dimensions), for the out-of-scope floor. */
  centroids: z.string(),
  training: z.object({
    rows: z.number().int(),
    seed: z.number().int(),
    c: z.number().optional(),
    targetPrecision: z.number(),
    crossValidation: z.object({
      folds: z.number().int(),
      accuracy: z.number(),
      coverage: z.number(),
      accuracyOnCovered: z.number(),
      candidates: z.array(z.object({ c: z.number(), accuracy: z.number() })).default([]),
    }),
    seconds: z.number(),
  }),
});
export type ClassifierArtifact = z.infer<typeof ClassifierArtifact>;

/** Parses stored bytes or JSON into an artifact, or fails with CONFIG_INVALID saying what is wrong. */
export function parseClassifierArtifact(value: unknown): ClassifierArtifact {
  const parsed = ClassifierArtifact.safeParse(value);
  if (!parsed.success) {
    throw new TroupeError(ErrorCode.CONFIG_INVALID, `not a Troupe classifier: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  }
  const artifact = parsed.data;
  const expected = artifact.labels.length * artifact.dimensions;
  if (artifact.kind === 'softmax' && decodeFloats(artifact.weights).length !== expected) {
    throw new TroupeError(ErrorCode.CONFIG_INVALID, `classifier "${artifact.name}" has ${decodeFloats(artifact.weights).length} weights, expected ${expected}`);
  }
  return artifact;
}

export function encodeFloats(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

export function decodeFloats(encoded: string): Float32Array {
  const bytes = Buffer.from(encoded, 'base64');
  // Copy into an aligned buffer: a Buffer slice may start at an offset Float32Array cannot view.
  const aligned = new Uint8Array(bytes.byteLength);
  aligned.set(bytes);
  return new Float32Array(aligned.buffer, 0, Math.floor(bytes.byteLength / 4));
}
