import type { CallMetrics, SubtaskRequest } from '@troupe/protocol';

/**
 * Below this minimum token probability a grammar-constrained (JSON) local answer is sent to the
 * advisor. Measured on SmolLM2-135M-Instruct (README, "Confidence"): on 14 extraction cases the
 * minimum confidence ranked right answers above wrong ones with AUROC 0.92 (wrong: 0.32 and 0.48;
 * right: 0.42-0.66), so 0.45 catches the worst wrong answer at the cost of one right one in twelve.
 * Free-text answers separated poorly (AUROC 0.68 on 14 questions), so they are never flagged on it.
 */
export const ADVISOR_MIN_CONFIDENCE = 0.45;

/** Whether a local model's own token probabilities say its structured answer needs the advisor. */
export function lowConfidence(request: Pick<SubtaskRequest, 'outputSchema'>, metrics: Pick<CallMetrics, 'confidenceMin'>): boolean {
  return request.outputSchema !== undefined && metrics.confidenceMin !== undefined && metrics.confidenceMin < ADVISOR_MIN_CONFIDENCE;
}
