/** One held-out prediction: its top probability and whether its label was right. */
export interface ScoredPrediction {
  confidence: number;
  correct: boolean;
}

export interface ThresholdChoice {
  threshold: number;
  /** Share of rows answered at this threshold. */
  coverage: number;
  /** Accuracy on the rows answered. */
  accuracyOnCovered: number;
}

/**
 * The lowest confidence threshold whose answered rows reach `targetPrecision`, chosen on
 * out-of-fold predictions. Lowest, because every row under the threshold is escalated to a dearer
 * model; among thresholds that meet the target, the one that answers most wins. When none meets it,
 * the threshold that gets closest is returned and the caller sees the shortfall in the figures.
 */
export function chooseThreshold(predictions: readonly ScoredPrediction[], targetPrecision: number): ThresholdChoice {
  const sorted = [...predictions].sort((left, right) => right.confidence - left.confidence);
  let correct = 0;
  let best: ThresholdChoice = { threshold: 1, coverage: 0, accuracyOnCovered: 1 };
  let closest: ThresholdChoice = best;
  sorted.forEach((prediction, index) => {
    if (prediction.correct) correct += 1;
    const next = sorted[index + 1];
    // Only a threshold between two distinct confidences separates the rows above from those below.
    if (next && next.confidence === prediction.confidence) return;
    const answered = index + 1;
    const choice = { threshold: prediction.confidence, coverage: answered / sorted.length, accuracyOnCovered: correct / answered };
    if (choice.accuracyOnCovered >= targetPrecision) best = choice;
    if (choice.accuracyOnCovered > closest.accuracyOnCovered || closest.coverage === 0) closest = choice;
  });
  return best.coverage > 0 ? best : closest;
}
