import {
  aiq,
  averagePgr,
  bestQualityWithin,
  callPerformanceThreshold,
  performanceGapRecovered,
  rankByObjective,
  type ModelPrediction,
  type OutcomeRow,
} from '@troupe/router';

/** One operating point of a policy over a whole test set. */
export interface PolicyPoint {
  /** λ (score per USD) that produced it. */
  costWeight: number;
  meanQuality: number;
  totalCost: number;
  /** Rows on which the best single model was called. */
  strongCalls: number;
}

/** A single model's (or the oracle's) totals. */
export interface ModelTotals {
  meanQuality: number;
  totalCost: number;
}

/** Reference points every policy is measured against. */
export interface Baselines {
  rows: number;
  single: Record<string, ModelTotals>;
  best: ModelTotals & { model: string };
  cheapest: ModelTotals & { model: string };
  oracle: ModelTotals;
  /** Cheapest and most expensive single-model mean cost per query: the AIQ integration range. */
  cMin: number;
  cMax: number;
  zeroRouterAiq: number;
}

/** λ values from "quality only" to "cost only", log-spaced densely enough to trace the curve. */
export function costWeightGrid(steps = 160): number[] {
  const grid = [0];
  for (let step = 0; step <= steps; step += 1) grid.push(10 ** (-1 + (8 * step) / steps));
  grid.push(Number.POSITIVE_INFINITY);
  return grid;
}

/** Single models, best (highest mean score, ties to the cheaper), cheapest, oracle, zero-router AIQ. */
export function computeBaselines(rows: readonly OutcomeRow[], models: readonly string[]): Baselines {
  const single: Record<string, ModelTotals> = {};
  for (const model of models) {
    let quality = 0;
    let cost = 0;
    for (const row of rows) {
      quality += row.outcomes[model]?.score ?? 0;
      cost += row.outcomes[model]?.costUsd ?? 0;
    }
    single[model] = { meanQuality: quality / rows.length, totalCost: cost };
  }
  const entries = models.map((model) => ({ model, ...(single[model] as ModelTotals) }));
  const best = [...entries].sort((left, right) => right.meanQuality - left.meanQuality || left.totalCost - right.totalCost)[0];
  const cheapest = [...entries].sort((left, right) => left.totalCost - right.totalCost || right.meanQuality - left.meanQuality)[0];
  if (!best || !cheapest) throw new Error('no models to evaluate');
  let oracleQuality = 0;
  let oracleCost = 0;
  for (const row of rows) {
    // Per prompt: the cheapest model among those with the top score.
    let pick: { score: number; costUsd: number } | undefined;
    for (const model of models) {
      const outcome = row.outcomes[model];
      if (outcome && (!pick || outcome.score > pick.score || (outcome.score === pick.score && outcome.costUsd < pick.costUsd))) pick = outcome;
    }
    oracleQuality += pick?.score ?? 0;
    oracleCost += pick?.costUsd ?? 0;
  }
  const points = entries.map((entry) => ({ cost: entry.totalCost / rows.length, quality: entry.meanQuality }));
  const cMin = Math.min(...points.map((point) => point.cost));
  const cMax = Math.max(...points.map((point) => point.cost));
  return {
    rows: rows.length,
    single,
    best,
    cheapest,
    oracle: { meanQuality: oracleQuality / rows.length, totalCost: oracleCost },
    cMin,
    cMax,
    zeroRouterAiq: aiq(points, cMin, cMax),
  };
}

/** The learned router's curve: for each λ, every row goes to argmax predicted quality − λ·predicted cost. */
export function routerCurve(rows: readonly OutcomeRow[], predictions: readonly ModelPrediction[][], strong: string, grid: readonly number[]): PolicyPoint[] {
  return grid.map((costWeight) => {
    let quality = 0;
    let cost = 0;
    let strongCalls = 0;
    rows.forEach((row, index) => {
      const options = predictions[index] ?? [];
      // λ = ∞ means "cheapest predicted", with predicted quality breaking ties.
      const ranked = Number.isFinite(costWeight)
        ? rankByObjective(options, costWeight)
        : [...options].sort((left, right) => left.costUsd - right.costUsd || right.quality - left.quality);
      const model = ranked[0]?.model;
      const outcome = model === undefined ? undefined : row.outcomes[model];
      quality += outcome?.score ?? 0;
      cost += outcome?.costUsd ?? 0;
      if (model === strong) strongCalls += 1;
    });
    return { costWeight, meanQuality: quality / rows.length, totalCost: cost, strongCalls };
  });
}

/** Summary metrics of a policy's curve against the baselines. */
export interface PolicySummary {
  aiq: number;
  apgr: number;
  cpt50: number | null;
  cpt80: number | null;
  apgr_calls: number;
  cpt50_calls: number | null;
  cpt80_calls: number | null;
  quality_at_20pct_cost: number | null;
}

/**
 * AIQ through the same hull and range as the zero router; APGR/CPT against best (strong) and
 * cheapest (weak) single models, on two share axes: cost / strong's cost, and RouteLLM's own
 * share of calls to the strong model.
 */
export function summarise(points: readonly PolicyPoint[], baselines: Baselines): PolicySummary {
  const { best, cheapest, rows } = baselines;
  const pgr = (point: PolicyPoint): number => performanceGapRecovered(point.meanQuality, cheapest.meanQuality, best.meanQuality);
  const byCost = points.map((point) => ({ share: point.totalCost / best.totalCost, pgr: pgr(point) }));
  const byCalls = points.map((point) => ({ share: point.strongCalls / rows, pgr: pgr(point) }));
  const within = bestQualityWithin(
    points.map((point) => ({ cost: point.totalCost, quality: point.meanQuality })),
    0.2 * best.totalCost,
  );
  return {
    aiq: aiq(points.map((point) => ({ cost: point.totalCost / rows, quality: point.meanQuality })), baselines.cMin, baselines.cMax),
    apgr: averagePgr(byCost),
    cpt50: callPerformanceThreshold(byCost, 0.5) ?? null,
    cpt80: callPerformanceThreshold(byCost, 0.8) ?? null,
    apgr_calls: averagePgr(byCalls),
    cpt50_calls: callPerformanceThreshold(byCalls, 0.5) ?? null,
    cpt80_calls: callPerformanceThreshold(byCalls, 0.8) ?? null,
    quality_at_20pct_cost: within === undefined ? null : within / best.meanQuality,
  };
}

/** The non-dominated points (no other point is both cheaper and better), cheapest first. */
export function paretoPoints(points: readonly PolicyPoint[]): PolicyPoint[] {
  const sorted = [...points].sort((left, right) => left.totalCost - right.totalCost || right.meanQuality - left.meanQuality);
  const kept: PolicyPoint[] = [];
  for (const point of sorted) if (kept.length === 0 || point.meanQuality > (kept[kept.length - 1] as PolicyPoint).meanQuality) kept.push(point);
  return kept;
}
