import { z } from 'zod';

/** What the demo's `logic` node decides: a rule, not a model. */
export const RefundDecision = z.object({
  decision: z.enum(['refund', 'replace', 'review', 'no-action']),
  item: z.string(),
  reason: z.string(),
});
export type RefundDecision = z.infer<typeof RefundDecision>;

/** The logic node's input: the task text plus the extract node's output (see the planner's nodeInput). */
const LogicInput = z.object({
  task: z.unknown(),
  from: z.object({ extract: z.object({ name: z.string(), city: z.string() }).partial().optional() }).passthrough(),
});

const DEFECT = /\b(broken|damaged|defective|faulty|cracked|not working|doesn't work|does not work)\b/i;
const WANTS_REFUND = /\b(refund|money back|reimburse\w*)\b/i;
const ITEM_AFTER_DEFECT = /\b(?:broken|damaged|defective|faulty|cracked)\s+(?:[a-z]+\s+)?([a-z][a-z-]+)/i;

/**
 * The refund policy as code: a defective item is refunded in full (or replaced when no refund is
 * asked for); a refund for an item that works goes to a person. Deterministic, free and instant,
 * which is what a rule should be: an LLM adds cost and a chance of getting it wrong.
 *
 * @example
 * refundPolicy({ task: 'Ada lives in Paris and wants a refund for a broken kettle.', from: {} });
 * // { decision: 'refund', item: 'kettle', reason: 'A defective item is refunded in full within 30 days.' }
 */
export function refundPolicy(input: unknown): RefundDecision {
  const parsed = LogicInput.parse(input);
  const text = typeof parsed.task === 'string' ? parsed.task : JSON.stringify(parsed.task);
  const defect = DEFECT.test(text);
  const wantsRefund = WANTS_REFUND.test(text);
  const item = ITEM_AFTER_DEFECT.exec(text)?.[1]?.toLowerCase() ?? 'item';
  if (defect && wantsRefund) return { decision: 'refund', item, reason: 'A defective item is refunded in full within 30 days.' };
  if (defect) return { decision: 'replace', item, reason: 'A defective item is replaced free of charge.' };
  if (wantsRefund) return { decision: 'review', item, reason: 'A refund for an item that works needs a person to approve it.' };
  return { decision: 'no-action', item, reason: 'The message asks for nothing the refund policy covers.' };
}
