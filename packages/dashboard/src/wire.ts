import { z } from 'zod';
import { ErrorReply, TokenUsage } from '@troupe/protocol';

/**
 * The parts of the planner's task record (KV `troupe_tasks`) and of a dead letter that the dashboard
 * reads. Deliberately lenient (unknown fields pass, most fields optional): the dashboard is a reader
 * of records written by other versions, and must show what it can rather than drop a record.
 */
const Usage = TokenUsage.partial().optional();

const AttemptResult = z
  .looseObject({
    model: z.string().optional(),
    provider: z.string().optional(),
    usage: Usage,
    costUsd: z.number().optional(),
    metrics: z.looseObject({ latencyMs: z.number().optional() }).optional(),
    /** Set by a semantic cache when it answered instead of a model (any of these spellings). */
    cached: z.boolean().optional(),
    cacheHit: z.boolean().optional(),
  })
  .optional();

/** One model call of a node (answer or consensus peer), with its cascade step and the judge's decision. */
const NodeCallWire = z.looseObject({
  attempt: z.number().default(1),
  step: z.number().optional(),
  model: z.string(),
  role: z.string().default('answer'),
  costUsd: z.number().default(0),
  decision: z.string().optional(),
});
export type NodeCallWire = z.infer<typeof NodeCallWire>;

const VerdictLike = z.looseObject({ decision: z.string(), reasons: z.array(z.string()).default([]) }).optional();

const RecordNode = z.looseObject({
  status: z.string(),
  attempt: z.number().default(0),
  triedModels: z.array(z.string()).default([]),
  result: AttemptResult,
  verdict: VerdictLike,
  error: ErrorReply.partial().optional(),
  costUsd: z.number().default(0),
  usage: Usage,
  /** Every model call so far, when the planner records them (cascades). */
  calls: z.array(NodeCallWire).optional(),
});
export type RecordNode = z.infer<typeof RecordNode>;

const ResultNode = z.looseObject({
  nodeId: z.string(),
  skill: z.string().optional(),
  status: z.string(),
  attempts: z.number().optional(),
  model: z.string().optional(),
  provider: z.string().optional(),
  usage: Usage,
  costUsd: z.number().default(0),
  metrics: z.looseObject({ latencyMs: z.number().optional() }).optional(),
  verdict: VerdictLike,
  error: ErrorReply.partial().optional(),
  calls: z.array(NodeCallWire).optional(),
  cached: z.boolean().optional(),
  cacheHit: z.boolean().optional(),
});
export type ResultNode = z.infer<typeof ResultNode>;

/** A TaskRecord as stored by the planner (`<tenant>.<taskId>` → JSON). */
export const TaskRecordWire = z.looseObject({
  task: z.looseObject({
    id: z.string(),
    tenant: z.string().default('default'),
    pipeline: z.string().optional(),
    metadata: z.record(z.string(), z.string()).optional(),
  }),
  pipelineName: z.string().optional(),
  pipeline: z
    .looseObject({ nodes: z.array(z.looseObject({ id: z.string(), skill: z.string(), dependsOn: z.array(z.string()).default([]) })) })
    .optional(),
  startedAt: z.number().default(0),
  updatedAt: z.number().optional(),
  status: z.string(),
  nodes: z.record(z.string(), RecordNode).default({}),
  traceId: z.string().optional(),
  result: z
    .looseObject({
      status: z.string(),
      nodes: z.array(ResultNode).default([]),
      costUsd: z.number().default(0),
      savingsUsd: z.number().optional(),
      latencyMs: z.number().optional(),
      error: ErrorReply.partial().optional(),
    })
    .optional(),
});
export type TaskRecordWire = z.infer<typeof TaskRecordWire>;

/** A dead letter on `troupe.v1.<tenant>.tasks.dead` (stream `TROUPE_DEAD_TASKS`). */
export const DeadLetterWire = z.looseObject({
  tenant: z.string(),
  taskId: z.string(),
  reason: ErrorReply.partial().extend({ code: z.string(), message: z.string() }),
  deliveries: z.number().default(0),
  deadAt: z.number().default(0),
});
export type DeadLetterWire = z.infer<typeof DeadLetterWire>;

const decoder = new TextDecoder();

/** Parses NATS bytes as JSON and validates them; undefined when they are not what the schema says. */
export function parseWire<Schema extends z.ZodType>(schema: Schema, data: Uint8Array): z.output<Schema> | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(decoder.decode(data)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The trace id of a W3C `traceparent` header value. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  const match = traceparent ? /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(traceparent.trim()) : null;
  return match?.[1];
}
