import { hashString } from './hashing.js';
import { fitQualityModels, type EncodedRow } from './fit-quality.js';
import { predictQuality, type LearnerSettings } from './quality-model.js';

/** Mean cross-entropy of one learner setting over all held-out (row, model) pairs. */
export interface CrossValidationResult {
  settings: LearnerSettings;
  logLoss: number;
}

/** Fold of a row, from a hash of its id (or prompt), so the split is stable across runs and files. */
export function foldOf(key: string, folds: number): number {
  return hashString(key) % folds;
}

function crossEntropy(target: number, predicted: number): number {
  const p = Math.min(1 - 1e-7, Math.max(1e-7, predicted));
  return -(target * Math.log(p) + (1 - target) * Math.log(1 - p));
}

/**
 * k-fold cross-validation of each learner setting on the training rows only. Returns every
 * setting's held-out log loss, the index of the best, and the best setting's out-of-fold
 * predictions (row × model), which downstream policies may tune on without touching test data.
 */
export function crossValidate(
  encoded: readonly EncodedRow[],
  models: readonly string[],
  grid: readonly LearnerSettings[],
  options: { folds: number; dimension: number; seed: number },
): { results: CrossValidationResult[]; best: number; outOfFold: Map<string, Float64Array> } {
  const folds = Math.max(2, Math.min(options.folds, encoded.length));
  const foldRows: number[][] = Array.from({ length: folds }, () => []);
  encoded.forEach((item, index) => foldRows[foldOf(item.row.id ?? item.row.prompt, folds)]?.push(index));
  const results: CrossValidationResult[] = [];
  let best = 0;
  let bestOutOfFold = new Map<string, Float64Array>();
  grid.forEach((settings, settingIndex) => {
    const outOfFold = new Map(models.map((model) => [model, new Float64Array(encoded.length).fill(Number.NaN)]));
    let loss = 0;
    let pairs = 0;
    for (let fold = 0; fold < folds; fold += 1) {
      const held = foldRows[fold] ?? [];
      if (held.length === 0) continue;
      const training = foldRows.flatMap((rows, index) => (index === fold ? [] : rows));
      const fitted = fitQualityModels(encoded, training, models, options.dimension, settings, options.seed + fold);
      for (const rowIndex of held) {
        const item = encoded[rowIndex] as EncodedRow;
        for (const [model, quality] of fitted) {
          const predicted = predictQuality(quality, item.features);
          (outOfFold.get(model) as Float64Array)[rowIndex] = predicted;
          const outcome = item.row.outcomes[model];
          if (!outcome) continue;
          loss += crossEntropy(outcome.score, predicted);
          pairs += 1;
        }
      }
    }
    const logLoss = pairs > 0 ? loss / pairs : Number.POSITIVE_INFINITY;
    results.push({ settings, logLoss });
    if (logLoss < (results[best]?.logLoss ?? Number.POSITIVE_INFINITY) || settingIndex === 0) {
      best = settingIndex;
      bestOutOfFold = outOfFold;
    }
  });
  return { results, best, outOfFold: bestOutOfFold };
}
