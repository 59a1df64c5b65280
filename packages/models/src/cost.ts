import type { TokenUsage } from '@troupe/protocol';
import type { Pricing } from './model-config.js';

/** USD cost of one call. Cached input is billed at its own price when the provider reports it. */
export function costOf(usage: TokenUsage, pricing: Pricing): number {
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const cachedPrice = pricing.cachedInputPerMTok ?? pricing.inputPerMTok;
  const micro =
    (usage.inputTokens - cached) * pricing.inputPerMTok + cached * cachedPrice + usage.outputTokens * pricing.outputPerMTok;
  return micro / 1_000_000;
}

/** Upper bound of a call's cost, reserved against a budget before the call starts. */
export function maxCostOf(inputTokens: number, maxOutputTokens: number, pricing: Pricing): number {
  return (inputTokens * pricing.inputPerMTok + maxOutputTokens * pricing.outputPerMTok) / 1_000_000;
}
