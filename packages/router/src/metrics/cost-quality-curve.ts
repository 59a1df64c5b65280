/** One operating point: mean cost per query and mean quality. */
export interface CurvePoint {
  cost: number;
  quality: number;
}

/**
 * The non-decreasing upper convex hull of cost–quality points (RouterBench's "zero router"
 * construction): any point on it is reachable by randomly mixing two policies. Sorted by cost;
 * it stops at the highest quality, beyond which paying more never helps.
 */
export function upperHull(points: readonly CurvePoint[]): CurvePoint[] {
  const sorted = [...points].filter((point) => Number.isFinite(point.cost) && Number.isFinite(point.quality)).sort((left, right) => left.cost - right.cost || right.quality - left.quality);
  const hull: CurvePoint[] = [];
  for (const point of sorted) {
    if (hull.length > 0 && (hull[hull.length - 1] as CurvePoint).cost === point.cost) continue;
    while (hull.length >= 2) {
      const middle = hull[hull.length - 1] as CurvePoint;
      const first = hull[hull.length - 2] as CurvePoint;
      // Drop the middle point when it lies on or below the chord from `first` to `point`.
      const cross = (middle.cost - first.cost) * (point.quality - first.quality) - (middle.quality - first.quality) * (point.cost - first.cost);
      if (cross >= 0) hull.pop();
      else break;
    }
    hull.push(point);
  }
  let peak = 0;
  for (let index = 1; index < hull.length; index += 1) if ((hull[index] as CurvePoint).quality > (hull[peak] as CurvePoint).quality) peak = index;
  return hull.slice(0, peak + 1);
}

/**
 * Value of a hull at a cost: 0 left of its first point (no policy on the curve is that cheap),
 * linear between points, flat to the right of its last point.
 */
export function hullValue(hull: readonly CurvePoint[], cost: number): number {
  const first = hull[0];
  if (!first || cost < first.cost) return 0;
  for (let index = 1; index < hull.length; index += 1) {
    const right = hull[index] as CurvePoint;
    if (cost <= right.cost) {
      const left = hull[index - 1] as CurvePoint;
      return left.quality + ((right.quality - left.quality) * (cost - left.cost)) / (right.cost - left.cost);
    }
  }
  return (hull[hull.length - 1] as CurvePoint).quality;
}

/**
 * AIQ (RouterBench, paper definition): (1 / (cMax − cMin)) ∫ hull(c) dc over [cMin, cMax], with
 * cMin and cMax the cheapest and most expensive single-model mean costs. Routers and the zero
 * router must be given the same cMin and cMax to be comparable.
 */
export function aiq(points: readonly CurvePoint[], cMin: number, cMax: number): number {
  const hull = upperHull(points);
  if (hull.length === 0) return 0;
  if (!(cMax > cMin)) return hullValue(hull, cMin);
  const breaks = [cMin, cMax, ...hull.map((point) => point.cost).filter((cost) => cost > cMin && cost < cMax)].sort((left, right) => left - right);
  let area = 0;
  for (let index = 1; index < breaks.length; index += 1) {
    const left = breaks[index - 1] as number;
    const right = breaks[index] as number;
    // The hull is linear between breaks, so its midpoint value times the width is exact.
    area += (right - left) * hullValue(hull, (left + right) / 2);
  }
  return area / (cMax - cMin);
}

/** Best quality among points costing at most `maxCost`, or undefined when none is that cheap. */
export function bestQualityWithin(points: readonly CurvePoint[], maxCost: number): number | undefined {
  let best: number | undefined;
  for (const point of points) if (point.cost <= maxCost && (best === undefined || point.quality > best)) best = point.quality;
  return best;
}
