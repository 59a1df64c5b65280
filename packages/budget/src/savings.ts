import type { TokenUsage } from '@troupe/protocol';
import { costOf, type Pricing } from '@troupe/models';
import { toMicroUsd, toUsd } from './micro-usd.js';

/** What a node reports; a NodeReport from `@troupe/protocol` fits. */
export interface CostedNode {
  usage?: TokenUsage | undefined;
  costUsd?: number | undefined;
}

/**
 * Cost had every node run on the reference frontier model, minus what the nodes actually cost.
 * Nodes without `usage` are left out of both sides (there is nothing to price them by).
 *
 * @example
 * const saved = savingsUsd(result.nodes, { inputPerMTok: 3, outputPerMTok: 15 });
 */
export function savingsUsd(nodes: readonly CostedNode[], referencePricing: Pricing): number {
  let referenceMicros = 0;
  let actualMicros = 0;
  for (const node of nodes) {
    if (!node.usage) continue;
    referenceMicros += toMicroUsd(costOf(node.usage, referencePricing));
    actualMicros += toMicroUsd(node.costUsd ?? 0);
  }
  return toUsd(referenceMicros - actualMicros);
}
