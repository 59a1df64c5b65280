import { z } from 'zod';
import { ToolCallRecord } from './chat.js';
import { Id, JsonSchemaObject, TenantId } from './common.js';

/** What the planner does next with a node, decided by the judge. */
export const VerdictDecision = z.enum(['pass', 'retry', 'reroute', 'escalate', 'fail']);
export type VerdictDecision = z.infer<typeof VerdictDecision>;

export const CheckResult = z.object({
  name: z.string(),
  passed: z.boolean(),
  /** Undefined when the check could not decide (an unsure judge never counts as a pass). */
  score: z.number().min(0).max(1).optional(),
  detail: z.string().optional(),
});
export type CheckResult = z.infer<typeof CheckResult>;

export const JudgeRequest = z
  .object({
    taskId: Id,
    tenant: TenantId,
    nodeId: Id,
    attempt: z.number().int().min(1),
    skill: z.string(),
    output: z.unknown(),
    outputSchema: JsonSchemaObject.optional(),
    /** Text the node was given; facts in the output are checked against it. */
    context: z.string().optional(),
    /** Tool calls behind the output; their results count as context the output may rely on. */
    toolCalls: z.array(ToolCallRecord).optional(),
    /** Names of the checks to run; the judge's defaults apply when omitted. */
    checks: z.array(z.string()).optional(),
    model: z.string().optional(),
    maxAttempts: z.number().int().min(1).default(1),
    /** The worker's reported confidence and metadata, for gates that read them. */
    confidence: z.number().min(0).max(1).optional(),
    metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    /** Other models' answers to the same subtask, for the `consensus` check. */
    peers: z.array(z.object({ model: z.string(), output: z.unknown() })).max(8).optional(),
    /** Least confidence the `confidence` check passes (from the cascade gate). */
    minConfidence: z.number().min(0).max(1).optional(),
    /** Whether a later cascade step exists: a failing gate then decides `escalate`. */
    canEscalate: z.boolean().optional(),
  })
  .meta({ id: 'JudgeRequest' });
export type JudgeRequest = z.infer<typeof JudgeRequest>;
export type JudgeRequestInput = z.input<typeof JudgeRequest>;

export const Verdict = z
  .object({
    taskId: Id,
    nodeId: Id,
    attempt: z.number().int().min(1),
    decision: VerdictDecision,
    score: z.number().min(0).max(1).optional(),
    reasons: z.array(z.string()),
    checks: z.array(CheckResult),
  })
  .meta({ id: 'Verdict' });
export type Verdict = z.infer<typeof Verdict>;

/** What the judge publishes on `troupe.v1.internal.verdicts`: the verdict plus whose output it judged. */
export const VerdictFeedEntry = Verdict.extend({
  tenant: TenantId.optional(),
  skill: z.string(),
  model: z.string().optional(),
}).meta({ id: 'VerdictFeedEntry' });
export type VerdictFeedEntry = z.infer<typeof VerdictFeedEntry>;
