import type { Pricing } from '@troupe/models';

/**
 * The per-token maximum of several prices: what to reserve for a call that any of them may answer
 * (a fallback chain falls back to a dearer model after the reservation was made, so reserving at the
 * primary's price could overshoot the budget).
 *
 * @example
 * createBudgetedModel(chain, { ledger, scopes, pricing: highestPricing([primary.pricing, fallback.pricing]) });
 */
export function highestPricing(prices: readonly Pricing[]): Pricing {
  if (prices.length === 0) return { inputPerMTok: 0, outputPerMTok: 0 };
  const inputPerMTok = Math.max(...prices.map((price) => price.inputPerMTok));
  // Cached input is never dearer than input for one model, but may be across models: bound it by input.
  const cachedInputPerMTok = Math.max(...prices.map((price) => price.cachedInputPerMTok ?? price.inputPerMTok));
  return { inputPerMTok, outputPerMTok: Math.max(...prices.map((price) => price.outputPerMTok)), cachedInputPerMTok };
}
