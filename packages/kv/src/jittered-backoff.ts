/**
 * Waits a random moment below `min(capMs, baseMs · 2^round)`: full jitter, so writers that lost
 * the same compare-and-set spread out instead of colliding again in lock step.
 */
export function jitteredBackoff(round: number, options: { baseMs?: number; capMs?: number } = {}): Promise<void> {
  const ceiling = Math.min(options.capMs ?? 50, (options.baseMs ?? 1) * 2 ** Math.min(round, 16));
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}
