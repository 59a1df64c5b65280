import { createQualityModel, updateQuality, type LearnerSettings, type QualityModel } from './quality-model.js';
import type { OutcomeRow } from './outcome-row.js';
import type { FeatureVector } from './text-features.js';

/** A training row with its features extracted once and reused across folds and settings. */
export interface EncodedRow {
  row: OutcomeRow;
  features: FeatureVector;
}

/** Deterministic PRNG (mulberry32) so training, and therefore the benchmark, is reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mean recorded score of a model over the given rows (its prior before learning), or undefined. */
export function meanScore(encoded: readonly EncodedRow[], rowIndices: readonly number[], model: string): number | undefined {
  let sum = 0;
  let count = 0;
  for (const index of rowIndices) {
    const outcome = encoded[index]?.row.outcomes[model];
    if (outcome) {
      sum += outcome.score;
      count += 1;
    }
  }
  return count > 0 ? sum / count : undefined;
}

/**
 * Trains one quality model per named model on the given rows, all in the same shuffled passes
 * (each row's features are read once per pass for every model, which keeps training cache-friendly).
 * Each model starts at its mean score, so the learner spends its steps on what varies by prompt.
 */
export function fitQualityModels(
  encoded: readonly EncodedRow[],
  rowIndices: readonly number[],
  models: readonly string[],
  dimension: number,
  settings: LearnerSettings,
  seed: number,
): Map<string, QualityModel> {
  const fitted = new Map<string, QualityModel>();
  for (const model of models) fitted.set(model, createQualityModel(dimension, meanScore(encoded, rowIndices, model) ?? 0.5));
  const order = [...rowIndices];
  const random = seededRandom(seed);
  for (let epoch = 0; epoch < settings.epochs; epoch += 1) {
    for (let index = order.length - 1; index > 0; index -= 1) {
      const swap = Math.floor(random() * (index + 1));
      [order[index], order[swap]] = [order[swap] as number, order[index] as number];
    }
    for (const rowIndex of order) {
      const encodedRow = encoded[rowIndex];
      if (!encodedRow) continue;
      for (const [model, quality] of fitted) {
        const outcome = encodedRow.row.outcomes[model];
        if (outcome) updateQuality(quality, encodedRow.features, outcome.score, settings);
      }
    }
  }
  return fitted;
}
