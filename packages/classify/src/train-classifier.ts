import { createHash } from 'node:crypto';
import type { EmbeddingModel } from '@troupe/models';
import { encodeFloats, type ClassifierArtifact } from './classifier-artifact.js';
import { chooseThreshold, type ScoredPrediction } from './confidence-threshold.js';
import { embedTexts } from './embed-texts.js';
import { selectRows, toEmbeddingMatrix, type EmbeddingMatrix } from './embedding-matrix.js';
import { foldSplit, stratifiedFolds } from './stratified-folds.js';
import { softmaxProbabilities, trainSoftmax, type SoftmaxWeights } from './softmax-regression.js';
import { checkTrainingRows, type TrainingRow } from './training-rows.js';

export interface TrainClassifierOptions {
  name: string;
  embedder: EmbeddingModel;
  seed?: number;
  /** Cross-validation folds for choosing `c` and the threshold (default 3). */
  folds?: number;
  /** Accuracy wanted on the rows the classifier answers itself (default 0.97). */
  targetPrecision?: number;
  /** Candidate inverse regularisation strengths (default 10, 30, 100). */
  cValues?: number[];
  epochs?: number;
  /** Below this many examples per label (median), a nearest-neighbour classifier is trained instead. */
  minExamplesForSoftmax?: number;
  signal?: AbortSignal;
  onProgress?: (stage: 'embed' | 'cross-validate' | 'fit', done: number, total: number) => void;
}

/** Already-embedded rows, so a caller that embedded once (a bench, a retrain) need not pay again. */
export interface EmbeddedRows {
  vectors: readonly (readonly number[] | Float32Array)[];
  labels: readonly string[];
}

/**
 * Trains a classifier from labelled texts: embeds them, then chooses regularisation and the
 * escalation threshold by stratified cross-validation on these rows only, and fits the final head
 * on all of them. Deterministic for a fixed seed and embedder.
 *
 * @example
 * const artifact = await trainClassifier(rows, { name: 'triage', embedder });
 * const classifier = createClassifier(artifact);
 */
export async function trainClassifier(rows: readonly TrainingRow[], options: TrainClassifierOptions): Promise<ClassifierArtifact> {
  checkTrainingRows(rows);
  const vectors = await embedTexts(
    options.embedder,
    rows.map((row) => row.text),
    {
      ...(options.signal ? { signal: options.signal } : {}),
      onProgress: (done, total) => options.onProgress?.('embed', done, total),
    },
  );
  return trainFromEmbeddings({ vectors, labels: rows.map((row) => row.label) }, { ...options, dimensions: options.embedder.dimensions, embeddingModel: options.embedder.modelId });
}

/** The training half of `trainClassifier`, on vectors that are already computed. */
export function trainFromEmbeddings(
  embedded: EmbeddedRows,
  options: Omit<TrainClassifierOptions, 'embedder'> & { dimensions: number; embeddingModel: string },
): ClassifierArtifact {
  const started = performance.now();
  const seed = options.seed ?? 7;
  const folds = options.folds ?? 3;
  const targetPrecision = options.targetPrecision ?? 0.97;
  const labelNames = [...new Set(embedded.labels)].sort();
  const labelIndex = new Map(labelNames.map((label, index) => [label, index]));
  const labels = Uint16Array.from(embedded.labels, (label) => labelIndex.get(label)!);
  const matrix = toEmbeddingMatrix(embedded.vectors, options.dimensions);
  const counts = labelNames.map((_, index) => labels.filter((label) => label === index).length).sort((left, right) => left - right);
  const median = counts[Math.floor(counts.length / 2)]!;
  const useSoftmax = median >= (options.minExamplesForSoftmax ?? 8);
  const assignment = stratifiedFolds(labels, Math.min(folds, Math.max(2, counts[0]!)), seed);
  const foldCount = Math.max(...assignment) + 1;
  const centroids = classCentroids(matrix, labels, labelNames.length);

  let chosenC: number | undefined;
  const candidates: { c: number; accuracy: number }[] = [];
  let outOfFold: ScoredPrediction[];
  let similarities: number[];
  if (useSoftmax) {
    let best: { c: number; accuracy: number; predictions: ScoredPrediction[] } | undefined;
    const cValues = options.cValues ?? [10, 30, 100];
    cValues.forEach((c, index) => {
      const predictions = crossValidate(matrix, labels, assignment, foldCount, (train, trainLabels) => {
        const head = trainSoftmax(train, trainLabels, labelNames.length, { c, seed, ...(options.epochs ? { epochs: options.epochs } : {}) });
        return (vector) => softmaxProbabilities(head, vector);
      });
      const accuracy = predictions.filter((prediction) => prediction.correct).length / predictions.length;
      candidates.push({ c, accuracy });
      if (!best || accuracy > best.accuracy) best = { c, accuracy, predictions };
      options.onProgress?.('cross-validate', index + 1, cValues.length);
    });
    chosenC = best!.c;
    outOfFold = best!.predictions;
  } else {
    outOfFold = crossValidate(matrix, labels, assignment, foldCount, (train, trainLabels) => nearestScorer(train, trainLabels, labelNames.length));
  }
  similarities = centroidSimilarities(matrix, centroids, labelNames.length);
  const choice = chooseThreshold(outOfFold, targetPrecision);
  // The floor sits under nearly every real training query, so only inputs unlike all of them fall below it.
  similarities = similarities.sort((left, right) => left - right);
  const similarityFloor = Math.max(-1, similarities[Math.floor(similarities.length * 0.005)]! - 0.05);

  let weights: Float32Array;
  let bias: Float32Array | undefined;
  if (useSoftmax) {
    const head: SoftmaxWeights = trainSoftmax(matrix, labels, labelNames.length, { c: chosenC!, seed, ...(options.epochs ? { epochs: options.epochs } : {}) });
    weights = head.weights;
    bias = head.bias;
    options.onProgress?.('fit', 1, 1);
  } else {
    weights = matrix.values;
  }
  const accuracy = outOfFold.filter((prediction) => prediction.correct).length / outOfFold.length;
  const body = {
    format: 'troupe.classifier.v1' as const,
    name: options.name,
    kind: useSoftmax ? ('softmax' as const) : ('nearest-neighbour' as const),
    embeddingModel: options.embeddingModel,
    dimensions: options.dimensions,
    labels: labelNames,
    weights: encodeFloats(weights),
    ...(bias ? { bias: encodeFloats(bias) } : {}),
    ...(useSoftmax ? {} : { exampleLabels: Array.from(labels) }),
    threshold: choice.threshold,
    similarityFloor,
    centroids: encodeFloats(centroids),
  };
  const version = createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 12);
  return {
    ...body,
    version,
    createdAt: new Date().toISOString(),
    training: {
      rows: matrix.rows,
      seed,
      ...(chosenC !== undefined ? { c: chosenC } : {}),
      targetPrecision,
      crossValidation: { folds: foldCount, accuracy, coverage: choice.coverage, accuracyOnCovered: choice.accuracyOnCovered, candidates },
      seconds: (performance.now() - started) / 1000,
    },
  };
}

type Scorer = (vector: Float32Array) => Float64Array;

function crossValidate(
  matrix: EmbeddingMatrix,
  labels: Uint16Array,
  assignment: Uint8Array,
  folds: number,
  fit: (train: EmbeddingMatrix, trainLabels: Uint16Array) => Scorer,
): ScoredPrediction[] {
  const predictions: ScoredPrediction[] = [];
  for (let fold = 0; fold < folds; fold += 1) {
    const { train, test } = foldSplit(assignment, fold);
    const scorer = fit(selectRows(matrix, train), Uint16Array.from(train, (row) => labels[row]!));
    for (const row of test) {
      const probabilities = scorer(matrix.values.subarray(row * matrix.dimensions, (row + 1) * matrix.dimensions));
      let best = 0;
      for (let label = 1; label < probabilities.length; label += 1) if (probabilities[label]! > probabilities[best]!) best = label;
      predictions.push({ confidence: probabilities[best]!, correct: best === labels[row] });
    }
  }
  return predictions;
}

function nearestScorer(train: EmbeddingMatrix, trainLabels: Uint16Array, classes: number): Scorer {
  return (vector) => {
    const best = new Float64Array(classes).fill(-1);
    for (let row = 0; row < train.rows; row += 1) {
      let dot = 0;
      for (let column = 0; column < train.dimensions; column += 1) dot += train.values[row * train.dimensions + column]! * vector[column]!;
      if (dot > best[trainLabels[row]!]!) best[trainLabels[row]!] = dot;
    }
    const max = Math.max(...best);
    let total = 0;
    for (let label = 0; label < classes; label += 1) total += best[label] = Math.exp(30 * (best[label]! - max));
    for (let label = 0; label < classes; label += 1) best[label]! /= total;
    return best;
  };
}

function classCentroids(matrix: EmbeddingMatrix, labels: Uint16Array, classes: number): Float32Array {
  const { dimensions } = matrix;
  const sums = new Float32Array(classes * dimensions);
  labels.forEach((label, row) => {
    for (let column = 0; column < dimensions; column += 1) sums[label * dimensions + column]! += matrix.values[row * dimensions + column]!;
  });
  for (let label = 0; label < classes; label += 1) {
    let norm = 0;
    for (let column = 0; column < dimensions; column += 1) norm += sums[label * dimensions + column]! ** 2;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let column = 0; column < dimensions; column += 1) sums[label * dimensions + column]! *= scale;
  }
  return sums;
}

function centroidSimilarities(matrix: EmbeddingMatrix, centroids: Float32Array, classes: number): number[] {
  const { dimensions } = matrix;
  const result: number[] = [];
  for (let row = 0; row < matrix.rows; row += 1) {
    let best = -1;
    for (let label = 0; label < classes; label += 1) {
      let dot = 0;
      for (let column = 0; column < dimensions; column += 1) dot += centroids[label * dimensions + column]! * matrix.values[row * dimensions + column]!;
      if (dot > best) best = dot;
    }
    result.push(best);
  }
  return result;
}
