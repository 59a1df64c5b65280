import { costWeightFor, rankByObjective, type ModelPrediction, type OutcomeRow, type Router } from '@troupe/router';
import type { Quality } from '@troupe/protocol';
import type { Baselines } from './replay.js';

/** Rounds to 6 significant digits so the JSON line stays readable; non-finite values become null. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value > 0 ? 1e308 : value < 0 ? -1e308 : 0;
  return value === 0 ? 0 : Number(value.toPrecision(6));
}

/** Where the three quality knobs land on the test rows (the user-facing operating points). */
export function knobPoints(
  rows: readonly OutcomeRow[],
  predictions: readonly ModelPrediction[][],
  baselines: Baselines,
): Record<Quality, { mean_quality: number; total_cost: number; cost_vs_best: number }> {
  const point = (quality: Quality) => {
    let score = 0;
    let cost = 0;
    rows.forEach((row, index) => {
      const options = predictions[index] ?? [];
      const model = rankByObjective(options, costWeightFor({ quality }, options))[0]?.model;
      const outcome = model === undefined ? undefined : row.outcomes[model];
      score += outcome?.score ?? 0;
      cost += outcome?.costUsd ?? 0;
    });
    return { mean_quality: round(score / rows.length), total_cost: round(cost), cost_vs_best: round(cost / baselines.best.totalCost) };
  };
  return { fast: point('fast'), balanced: point('balanced'), best: point('best') };
}

function percentile(sorted: readonly number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? 0;
}

/** Wall time of full `route()` decisions (features, predictions, constraints, ranking, cascade) on the test prompts. */
export function measureLatency(router: Router, rows: readonly OutcomeRow[]): { p50: number; p99: number; n: number } {
  const requests = rows.map((row) => ({ prompt: row.prompt, task: row.task, source: row.source, quality: 'balanced' as const, budgetUsd: 1 }));
  // Warm-up lets the JIT compile the hot path before anything is timed.
  for (let index = 0; index < Math.min(200, requests.length * 2); index += 1) router.route(requests[index % requests.length] as (typeof requests)[number]);
  const samples: number[] = [];
  const count = Math.max(requests.length, 500);
  for (let index = 0; index < count; index += 1) {
    const request = requests[index % requests.length] as (typeof requests)[number];
    const start = performance.now();
    router.route(request);
    samples.push(performance.now() - start);
  }
  samples.sort((left, right) => left - right);
  return { p50: round(percentile(samples, 0.5)), p99: round(percentile(samples, 0.99)), n: samples.length };
}
