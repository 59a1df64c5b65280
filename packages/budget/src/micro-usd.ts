/** Integer micro-dollars: every ledger sum is exact, so many small charges never drift. */
export type MicroUsd = number;

const MICROS_PER_USD = 1_000_000;
// Float noise such as 2999.9999999996 must not turn into an extra micro-dollar.
const EPSILON = 1e-6;

/** Converts dollars to micro-dollars: `up` for reservations (never under-reserve), `nearest` otherwise. */
export function toMicroUsd(usd: number, rounding: 'up' | 'nearest' = 'nearest'): MicroUsd {
  if (!Number.isFinite(usd) || usd < 0) throw new RangeError(`a cost must be a finite, non-negative number of dollars, got ${usd}`);
  const micros = usd * MICROS_PER_USD;
  return rounding === 'up' ? Math.ceil(micros - EPSILON) : Math.round(micros);
}

export function toUsd(micros: MicroUsd): number {
  return micros / MICROS_PER_USD;
}
