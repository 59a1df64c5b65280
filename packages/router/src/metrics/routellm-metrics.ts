/** A router operating point in RouteLLM terms: share of the cost axis used and gap recovered. */
export interface GapPoint {
  /** Cost share in [0, 1]: fraction of calls to the strong model, or cost / strong model's cost. */
  share: number;
  /** Performance gap recovered at that share. */
  pgr: number;
}

/** PGR = (quality − weak) / (strong − weak); 0 when the two baselines tie. */
export function performanceGapRecovered(quality: number, weakQuality: number, strongQuality: number): number {
  const gap = strongQuality - weakQuality;
  return gap === 0 ? 0 : (quality - weakQuality) / gap;
}

/**
 * APGR: ∫₀¹ E(s) ds, where E(s) is the best PGR among points with share ≤ s (0 where there is
 * none). Using the best point within each budget is the honest envelope: no interpolation
 * between points is credited.
 */
export function averagePgr(points: readonly GapPoint[]): number {
  const sorted = points.filter((point) => point.share <= 1 && Number.isFinite(point.pgr)).sort((left, right) => left.share - right.share);
  let area = 0;
  let envelope = 0;
  let started = false;
  for (let index = 0; index < sorted.length; index += 1) {
    const point = sorted[index] as GapPoint;
    envelope = started ? Math.max(envelope, point.pgr) : point.pgr;
    started = true;
    const next = index + 1 < sorted.length ? (sorted[index + 1] as GapPoint).share : 1;
    area += envelope * (next - point.share);
  }
  return area;
}

/**
 * CPT(x): the smallest share at which the router recovers at least `fraction` of the gap, or
 * undefined when no point does.
 */
export function callPerformanceThreshold(points: readonly GapPoint[], fraction: number): number | undefined {
  let best: number | undefined;
  for (const point of points) if (point.pgr >= fraction && (best === undefined || point.share < best)) best = point.share;
  return best;
}
