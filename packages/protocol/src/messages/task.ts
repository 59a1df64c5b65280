import { z } from 'zod';
import { ToolCallRecord } from './chat.js';
import { CallMetrics, Id, Quality, TenantId, TokenUsage } from './common.js';
import { ErrorReply } from './error-reply.js';
import { PipelineDefinition } from './pipeline.js';
import { CacheReport, RetrievalReport } from './subtask.js';
import { Verdict, VerdictDecision } from './verdict.js';

/** What a client sends to start a task. Only `pipeline` (or an inline `plan`) and `input` are required. */
export const TaskSubmission = z
  .object({
    /** Idempotency key: resubmitting the same id never runs the task twice. */
    id: Id.optional(),
    tenant: TenantId.default('default'),
    pipeline: Id.optional(),
    /** An inline pipeline; statically checked before anything runs. */
    plan: PipelineDefinition.optional(),
    /** `llm`: a model drafts the DAG from the input (grammar-constrained JSON), checked before it runs. */
    planner: z.enum(['declarative', 'llm']).default('declarative'),
    input: z.unknown(),
    quality: Quality.default('balanced'),
    budgetUsd: z.number().nonnegative().optional(),
    deadlineMs: z.number().int().min(1).max(3_600_000).optional(),
    metadata: z.record(z.string(), z.string()).default({}),
    /** Publish progress events on the task's events subject; default: yes for `submit`, no for `run`. */
    progress: z.boolean().optional(),
  })
  .refine((task) => task.pipeline !== undefined || task.plan !== undefined || task.planner === 'llm', {
    message: 'give "pipeline" (a registered pipeline name), "plan" (an inline pipeline) or "planner": "llm"',
    path: ['pipeline'],
  })
  .meta({ id: 'TaskSubmission', description: 'A task submitted to the planner.' });
export type TaskSubmission = z.infer<typeof TaskSubmission>;
export type TaskSubmissionInput = z.input<typeof TaskSubmission>;

export const TaskAccepted = z
  .object({ taskId: Id, tenant: TenantId, eventsSubject: z.string(), duplicate: z.boolean().default(false) })
  .meta({ id: 'TaskAccepted' });
export type TaskAccepted = z.infer<typeof TaskAccepted>;

export const NodeStatus = z.enum(['pending', 'running', 'judging', 'succeeded', 'failed', 'skipped']);
export type NodeStatus = z.infer<typeof NodeStatus>;

/** One model call made for a node: answer or consensus peer, its cost, and the gate's verdict on it. */
export const NodeCall = z.object({
  attempt: z.number().int().min(1),
  /** Cascade step (0-based); absent outside a cascade. */
  step: z.number().int().nonnegative().optional(),
  model: z.string(),
  role: z.enum(['answer', 'consensus']),
  costUsd: z.number().nonnegative(),
  /** The judge's decision on this answer (absent for consensus peers and unjudged calls). */
  decision: VerdictDecision.optional(),
  score: z.number().min(0).max(1).optional(),
});
export type NodeCall = z.infer<typeof NodeCall>;

/** Per-node account in the final result: who ran it, what it cost, what the judge said. */
export const NodeReport = z.object({
  nodeId: Id,
  skill: z.string(),
  status: NodeStatus,
  attempts: z.number().int().nonnegative(),
  model: z.string().optional(),
  provider: z.string().optional(),
  output: z.unknown().optional(),
  usage: TokenUsage.optional(),
  costUsd: z.number().nonnegative().default(0),
  metrics: CallMetrics.optional(),
  verdict: Verdict.optional(),
  /** Every model call made for this node, in order; each is in `costUsd`. */
  calls: z.array(NodeCall).optional(),
  error: ErrorReply.optional(),
  /** Tool calls the node's model made, with their results. */
  toolCalls: z.array(ToolCallRecord).optional(),
  /** Set when the semantic cache answered this node instead of a model. */
  cache: CacheReport.optional(),
  /** The chunks retrieved for this node (the judge checked facts against them). */
  retrieval: RetrievalReport.omit({ context: true }).optional(),
});
export type NodeReport = z.infer<typeof NodeReport>;

export const TaskStatus = z.enum(['accepted', 'running', 'completed', 'failed']);
export type TaskStatus = z.infer<typeof TaskStatus>;

export const TaskResult = z
  .object({
    taskId: Id,
    tenant: TenantId,
    status: TaskStatus,
    output: z.unknown().optional(),
    nodes: z.array(NodeReport),
    usage: TokenUsage,
    costUsd: z.number().nonnegative(),
    /** Cost had every node run on the reference frontier model, minus the actual cost. */
    savingsUsd: z.number().optional(),
    latencyMs: z.number().nonnegative(),
    error: ErrorReply.optional(),
  })
  .meta({ id: 'TaskResult', description: 'The verified outcome of a task.' });
export type TaskResult = z.infer<typeof TaskResult>;

export const TaskQuery = z
  .object({ taskId: Id, tenant: TenantId.default('default'), waitMs: z.number().int().min(0).max(600_000).default(0) })
  .meta({ id: 'TaskQuery' });
export type TaskQuery = z.infer<typeof TaskQuery>;
