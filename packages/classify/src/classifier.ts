import { ErrorCode, TroupeError } from '@troupe/protocol';
import { decodeFloats, type ClassifierArtifact } from './classifier-artifact.js';
import { normalised } from './embedding-matrix.js';
import { softmaxProbabilities, type SoftmaxWeights } from './softmax-regression.js';

/** What a classifier says about one input. */
export interface Prediction {
  /** The best label, or `other` when the input is out of scope. */
  label: string;
  confidence: number;
  /** True when confidence reached the threshold and the input is in scope: the answer may be used as is. */
  covered: boolean;
  /** True when the input is unlike every class seen in training (best centroid similarity under the floor). */
  outOfScope: boolean;
  /** Best cosine similarity to a class centroid. */
  similarity: number;
  topK: { label: string; probability: number }[];
  threshold: number;
  version: string;
}

/** A loaded classifier: predicts from an embedding vector of the model it was trained with. */
export interface Classifier {
  readonly name: string;
  readonly version: string;
  readonly embeddingModel: string;
  readonly dimensions: number;
  readonly labels: readonly string[];
  readonly threshold: number;
  predict(vector: readonly number[] | Float32Array, topK?: number): Prediction;
}

/** The label an out-of-scope input gets; it is never forced into a trained label. */
export const OUT_OF_SCOPE_LABEL = 'other';

/**
 * Builds a classifier from its artifact. Nearest-neighbour artifacts turn cosine similarities into
 * probabilities with a sharp softmax over per-label best matches, so both kinds report comparable
 * confidences to the same threshold logic.
 */
export function createClassifier(artifact: ClassifierArtifact): Classifier {
  const { dimensions, labels } = artifact;
  const centroids = decodeFloats(artifact.centroids);
  const probabilitiesOf = artifact.kind === 'softmax' ? softmaxScorer(artifact) : nearestNeighbourScorer(artifact);
  return {
    name: artifact.name,
    version: artifact.version,
    embeddingModel: artifact.embeddingModel,
    dimensions,
    labels,
    threshold: artifact.threshold,
    predict(vector, topK = 3) {
      if (vector.length !== dimensions) {
        throw new TroupeError(
          ErrorCode.CONFIG_INVALID,
          `classifier "${artifact.name}" expects ${dimensions}-d embeddings from "${artifact.embeddingModel}", got ${vector.length}-d`,
        );
      }
      const unit = normalised(vector);
      const probabilities = probabilitiesOf(unit);
      const ranked = [...probabilities].map((probability, index) => ({ label: labels[index]!, probability })).sort((left, right) => right.probability - left.probability);
      const similarity = bestCentroidSimilarity(centroids, labels.length, dimensions, unit);
      const outOfScope = similarity < artifact.similarityFloor;
      const best = ranked[0]!;
      return {
        label: outOfScope ? OUT_OF_SCOPE_LABEL : best.label,
        confidence: best.probability,
        covered: !outOfScope && best.probability >= artifact.threshold,
        outOfScope,
        similarity,
        topK: ranked.slice(0, topK),
        threshold: artifact.threshold,
        version: artifact.version,
      };
    },
  };
}

function softmaxScorer(artifact: ClassifierArtifact): (unit: Float32Array) => Float64Array {
  const head: SoftmaxWeights = {
    classes: artifact.labels.length,
    dimensions: artifact.dimensions,
    weights: decodeFloats(artifact.weights),
    bias: decodeFloats(artifact.bias ?? ''),
  };
  if (head.bias.length !== head.classes) throw new TroupeError(ErrorCode.CONFIG_INVALID, `classifier "${artifact.name}" has no bias per label`);
  return (unit) => softmaxProbabilities(head, unit);
}

/** Temperature of the similarity softmax: cosine gaps of ~0.05 between labels become clear preferences. */
const NEIGHBOUR_SHARPNESS = 30;

function nearestNeighbourScorer(artifact: ClassifierArtifact): (unit: Float32Array) => Float64Array {
  const examples = decodeFloats(artifact.weights);
  const exampleLabels = artifact.exampleLabels ?? [];
  const { dimensions } = artifact;
  const classes = artifact.labels.length;
  return (unit) => {
    const best = new Float64Array(classes).fill(-1);
    for (let row = 0; row < exampleLabels.length; row += 1) {
      let dot = 0;
      const offset = row * dimensions;
      for (let column = 0; column < dimensions; column += 1) dot += examples[offset + column]! * unit[column]!;
      const label = exampleLabels[row]!;
      if (dot > best[label]!) best[label] = dot;
    }
    const max = Math.max(...best);
    let total = 0;
    for (let label = 0; label < classes; label += 1) total += best[label] = Math.exp(NEIGHBOUR_SHARPNESS * (best[label]! - max));
    for (let label = 0; label < classes; label += 1) best[label]! /= total;
    return best;
  };
}

function bestCentroidSimilarity(centroids: Float32Array, classes: number, dimensions: number, unit: Float32Array): number {
  let best = -1;
  for (let label = 0; label < classes; label += 1) {
    let dot = 0;
    for (let column = 0; column < dimensions; column += 1) dot += centroids[label * dimensions + column]! * unit[column]!;
    if (dot > best) best = dot;
  }
  return best;
}
