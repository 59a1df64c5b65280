import { ErrorCode, TroupeError, type Quality } from '@troupe/protocol';
import type { ModelPrediction, RankedCandidate, RouteRequest } from './route-request.js';

/**
 * The quality knob as κ: how much expected score the caller gives up to avoid paying the cost of
 * the highest-quality viable model. Relative, so the knob means the same for a pool of local
 * models costing fractions of a cent and for a pool of frontier APIs.
 */
export const QUALITY_KNOBS: Readonly<Record<Quality, number>> = { best: 0.01, balanced: 0.05, fast: 0.25 };

/**
 * λ in score per USD for the objective quality − λ·cost: 1 / willingnessToPay when given,
 * otherwise κ(quality knob) divided by the predicted cost of the best-quality viable model.
 */
export function costWeightFor(
  request: Pick<RouteRequest, 'quality' | 'willingnessToPay'>,
  viable: readonly ModelPrediction[],
  knobs: Readonly<Record<Quality, number>> = QUALITY_KNOBS,
): number {
  if (request.willingnessToPay !== undefined) {
    if (!(request.willingnessToPay > 0)) {
      throw new TroupeError(ErrorCode.BAD_REQUEST, `willingnessToPay must be positive, got ${request.willingnessToPay}`);
    }
    return 1 / request.willingnessToPay;
  }
  let reference: ModelPrediction | undefined;
  for (const prediction of viable) if (!reference || prediction.quality > reference.quality) reference = prediction;
  const scale = reference && reference.costUsd > 0 ? reference.costUsd : Math.max(0, ...viable.map((prediction) => prediction.costUsd));
  return scale > 0 ? knobs[request.quality ?? 'balanced'] / scale : 0;
}

/** Viable models by quality − costWeight·cost, best first; ties go to the cheaper model, then by id. */
export function rankByObjective(predictions: readonly ModelPrediction[], costWeight: number): RankedCandidate[] {
  return predictions
    .map((prediction) => ({ ...prediction, objective: prediction.quality - costWeight * prediction.costUsd }))
    .sort((left, right) => right.objective - left.objective || left.costUsd - right.costUsd || (left.model < right.model ? -1 : 1));
}

/**
 * FrugalGPT escalation order: cheapest first, keeping only models predicted better than every
 * cheaper one (a pricier model that is not predicted better is never worth escalating to).
 */
export function cascadeOrder(predictions: readonly ModelPrediction[]): ModelPrediction[] {
  const byCost = [...predictions].sort((left, right) => left.costUsd - right.costUsd || right.quality - left.quality);
  const order: ModelPrediction[] = [];
  for (const prediction of byCost) {
    const last = order[order.length - 1];
    if (!last || prediction.quality > last.quality) order.push(prediction);
  }
  return order;
}
