import type { EmbeddingMatrix } from './embedding-matrix.js';
import { seededRandom, shuffledIndices } from './seeded-random.js';

/** Weights of a multinomial logistic head: `classes × dimensions` plus one bias per class. */
export interface SoftmaxWeights {
  readonly classes: number;
  readonly dimensions: number;
  readonly weights: Float32Array;
  readonly bias: Float32Array;
}

export interface SoftmaxTrainingOptions {
  /** Inverse L2 strength, as scikit-learn's `C`: larger fits the training rows harder. */
  c: number;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
}

/**
 * Fits softmax regression with mini-batch Adam and a cosine learning-rate decay. The loss is the
 * mean cross-entropy plus `‖W‖² / (2·C·N)`, the same objective scikit-learn minimises with `C`, so
 * published figures for a `C` carry over. Deterministic for a fixed seed.
 */
export function trainSoftmax(matrix: EmbeddingMatrix, labels: Uint16Array, classes: number, options: SoftmaxTrainingOptions): SoftmaxWeights {
  const { rows, dimensions, values } = matrix;
  const epochs = options.epochs ?? 20;
  const batchSize = options.batchSize ?? 128;
  const baseRate = options.learningRate ?? 0.05;
  const random = seededRandom(options.seed ?? 1);
  const weights = new Float32Array(classes * dimensions);
  const bias = new Float32Array(classes);
  const size = weights.length;
  const firstMoment = new Float32Array(size + classes);
  const secondMoment = new Float32Array(size + classes);
  const gradient = new Float32Array(size + classes);
  const logits = new Float64Array(classes);
  const l2 = 1 / (options.c * rows);
  const beta1 = 0.9;
  const beta2 = 0.999;
  let step = 0;
  const totalSteps = epochs * Math.ceil(rows / batchSize);

  for (let epoch = 0; epoch < epochs; epoch += 1) {
    const order = shuffledIndices(rows, random);
    for (let start = 0; start < rows; start += batchSize) {
      const end = Math.min(rows, start + batchSize);
      gradient.fill(0);
      for (let position = start; position < end; position += 1) {
        const row = order[position]!;
        const offset = row * dimensions;
        probabilitiesInto(weights, bias, classes, dimensions, values, offset, logits);
        logits[labels[row]!]! -= 1;
        for (let label = 0; label < classes; label += 1) {
          const error = logits[label]!;
          if (Math.abs(error) < 1e-7) continue;
          const base = label * dimensions;
          for (let column = 0; column < dimensions; column += 1) gradient[base + column]! += error * values[offset + column]!;
          gradient[size + label]! += error;
        }
      }
      const count = end - start;
      step += 1;
      const rate = 0.5 * baseRate * (1 + Math.cos((Math.PI * step) / totalSteps));
      const correction1 = 1 - beta1 ** step;
      const correction2 = 1 - beta2 ** step;
      for (let index = 0; index < size + classes; index += 1) {
        const isWeight = index < size;
        const current = isWeight ? weights[index]! : bias[index - size]!;
        const g = gradient[index]! / count + (isWeight ? l2 * current : 0);
        const m = (firstMoment[index] = beta1 * firstMoment[index]! + (1 - beta1) * g);
        const v = (secondMoment[index] = beta2 * secondMoment[index]! + (1 - beta2) * g * g);
        const updated = current - (rate * (m / correction1)) / (Math.sqrt(v / correction2) + 1e-8);
        if (isWeight) weights[index] = updated;
        else bias[index - size] = updated;
      }
    }
  }
  return { classes, dimensions, weights, bias };
}

/** Class probabilities for one normalised vector. */
export function softmaxProbabilities(head: SoftmaxWeights, vector: Float32Array): Float64Array {
  const out = new Float64Array(head.classes);
  probabilitiesInto(head.weights, head.bias, head.classes, head.dimensions, vector, 0, out);
  return out;
}

function probabilitiesInto(
  weights: Float32Array,
  bias: Float32Array,
  classes: number,
  dimensions: number,
  values: Float32Array,
  offset: number,
  out: Float64Array,
): void {
  let max = -Infinity;
  for (let label = 0; label < classes; label += 1) {
    let sum = bias[label]!;
    const base = label * dimensions;
    for (let column = 0; column < dimensions; column += 1) sum += weights[base + column]! * values[offset + column]!;
    out[label] = sum;
    if (sum > max) max = sum;
  }
  let total = 0;
  for (let label = 0; label < classes; label += 1) {
    const exp = Math.exp(out[label]! - max);
    out[label] = exp;
    total += exp;
  }
  for (let label = 0; label < classes; label += 1) out[label]! /= total;
}
