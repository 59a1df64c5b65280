import { z } from 'zod';
import { CallMetrics, Id, TokenUsage } from './common.js';
import { ErrorReply } from './error-reply.js';
import { VerdictDecision } from './verdict.js';

const base = { taskId: Id, at: z.number().describe('epoch milliseconds') };

/** Progress events published on `troupe.v1.<tenant>.events.<taskId>`; a discriminated union on `type`. */
export const ProgressEvent = z
  .discriminatedUnion('type', [
    z.object({ ...base, type: z.literal('task.accepted') }),
    z.object({
      ...base,
      type: z.literal('plan.ready'),
      nodes: z.array(z.object({ id: Id, skill: z.string(), dependsOn: z.array(Id) })),
    }),
    z.object({ ...base, type: z.literal('node.started'), nodeId: Id, attempt: z.number().int(), model: z.string().optional() }),
    z.object({ ...base, type: z.literal('node.token'), nodeId: Id, delta: z.string() }),
    /** The semantic cache answered this node: no model was called. */
    z.object({
      ...base,
      type: z.literal('node.cache-hit'),
      nodeId: Id,
      cache: z.enum(['exact', 'semantic']),
      similarity: z.number(),
      savedCostUsd: z.number(),
    }),
    z.object({ ...base, type: z.literal('model.loading'), model: z.string(), progress: z.number().min(0).max(1) }),
    z.object({
      ...base,
      type: z.literal('node.completed'),
      nodeId: Id,
      attempt: z.number().int(),
      model: z.string(),
      usage: TokenUsage,
      costUsd: z.number(),
      metrics: CallMetrics,
    }),
    z.object({
      ...base,
      type: z.literal('verdict.ready'),
      nodeId: Id,
      attempt: z.number().int(),
      decision: VerdictDecision,
      reasons: z.array(z.string()),
    }),
    z.object({ ...base, type: z.literal('node.failed'), nodeId: Id, error: ErrorReply }),
    z.object({ ...base, type: z.literal('task.completed'), costUsd: z.number(), latencyMs: z.number() }),
    z.object({ ...base, type: z.literal('task.failed'), error: ErrorReply }),
  ])
  .meta({ id: 'ProgressEvent' });
export type ProgressEvent = z.infer<typeof ProgressEvent>;
export type ProgressEventType = ProgressEvent['type'];
