import type { FeatureVector } from './text-features.js';

/** Settings of the per-model learner; chosen by cross-validation in `trainRouter`. */
export interface LearnerSettings {
  /** AdaGrad base step. AdaGrad shrinks it per feature, so frequent features settle and rare ones still learn. */
  learningRate: number;
  /** L2 penalty per update; keeps thousands of rare n-gram weights from memorising single prompts. */
  l2: number;
  /** Passes over the training rows. */
  epochs: number;
}

/** Settings used when training without cross-validation and for online updates of a fresh router. */
export const DEFAULT_LEARNER: LearnerSettings = { learningRate: 0.1, l2: 1e-5, epochs: 4 };

/**
 * Logistic model of one candidate model's score: P(score) = sigmoid(bias + w·x).
 * Scores in [0, 1] are soft labels (cross-entropy), so binary correctness and judge scores both fit.
 */
export interface QualityModel {
  bias: number;
  biasGradSq: number;
  weights: Float32Array;
  /** AdaGrad's sum of squared gradients per weight; kept so online updates continue where training stopped. */
  gradSq: Float32Array;
  /** Labelled examples this model has learned from. */
  updates: number;
}

const EPSILON = 1e-8;

/** Log-odds of p, clamped so a prior of 0 or 1 does not start at infinity. */
export function logit(probability: number): number {
  const clamped = Math.min(1 - 1e-3, Math.max(1e-3, probability));
  return Math.log(clamped / (1 - clamped));
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** A model that predicts `prior` for every prompt until it learns. */
export function createQualityModel(dimension: number, prior: number): QualityModel {
  return { bias: logit(prior), biasGradSq: 0, weights: new Float32Array(dimension), gradSq: new Float32Array(dimension), updates: 0 };
}

/** Predicted expected score in (0, 1) for the prompt behind `features`. */
export function predictQuality(model: QualityModel, features: FeatureVector): number {
  let z = model.bias;
  const { indices, values } = features;
  const weights = model.weights;
  // `as number` instead of `?? 0`: indices are in range by construction, and this loop is the hot path.
  for (let position = 0; position < indices.length; position += 1) z += (weights[indices[position] as number] as number) * (values[position] as number);
  return sigmoid(z);
}

/** One AdaGrad step towards `target` (a score in [0, 1]); the online path for judge verdicts. */
export function updateQuality(model: QualityModel, features: FeatureVector, target: number, settings: LearnerSettings): void {
  const error = predictQuality(model, features) - Math.min(1, Math.max(0, target));
  const { indices, values } = features;
  const { weights, gradSq } = model;
  const rate = settings.learningRate;
  const l2 = settings.l2;
  for (let position = 0; position < indices.length; position += 1) {
    const index = indices[position] as number;
    const weight = weights[index] as number;
    const gradient = error * (values[position] as number) + l2 * weight;
    if (gradient === 0) continue;
    const accumulated = (gradSq[index] as number) + gradient * gradient;
    gradSq[index] = accumulated;
    weights[index] = weight - (rate * gradient) / (Math.sqrt(accumulated) + EPSILON);
  }
  model.biasGradSq += error * error;
  model.bias -= (rate * error) / (Math.sqrt(model.biasGradSq) + EPSILON);
  model.updates += 1;
}
