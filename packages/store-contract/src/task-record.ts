import {
  ErrorReply,
  Id,
  NodeCall,
  NodeReport,
  NodeStatus,
  PipelineDefinition,
  TaskResult,
  TaskSubmission,
  TokenUsage,
  Verdict,
  WorkerResult,
} from '@troupe/protocol';
import { z } from 'zod';

/** A submitted task with its id assigned: what the planner runs and what a record stores. */
export type PlannedTask = TaskSubmission & { id: string };

/** What the planner persists per task: plain records, not actor snapshots, so any replica can resume. */
export interface TaskRecord {
  task: PlannedTask;
  pipelineName: string;
  /** The resolved pipeline, so a replica with other config (or an LLM-drafted plan) resumes the very same DAG. */
  pipeline?: PipelineDefinition;
  /** The LLM planning calls, kept so a resumed task still reports their cost. */
  planReport?: NodeReport;
  startedAt: number;
  /** `queued`: accepted into the durable queue, no planner has started it yet. */
  status: 'queued' | 'running' | 'completed' | 'failed';
  nodes: Record<string, NodeRecord>;
  result?: TaskResult;
  /** The planner replica that last wrote the record. */
  owner?: string;
  updatedAt?: number;
}

/**
 * One node as stored in a task record. Plain data on purpose: another planner replica resumes the
 * DAG from it. The planner machine's `NodeState` must stay assignable both ways (runtime passes one
 * for the other), so a field added there is added here too — the compiler says so in runtime.
 */
const nodeRecordShape = {
  status: NodeStatus,
  attempt: z.number(),
  triedModels: z.array(z.string()),
  feedback: z.array(z.string()),
  judgeErrors: z.number(),
  result: WorkerResult.optional(),
  verdict: Verdict.optional(),
  error: ErrorReply.optional(),
  costUsd: z.number(),
  usage: TokenUsage,
  /** Cascade step now running (0-based); absent for nodes without a cascade. */
  step: z.number().int().nonnegative().optional(),
  /** Every model call made for this node, in order (answers and consensus peers). */
  calls: z.array(NodeCall).optional(),
  /** Consensus peers' answers for the current cascade step, and how many are still running. */
  peers: z.array(z.object({ model: z.string(), output: z.unknown() })).optional(),
  awaitingPeers: z.number().int().nonnegative().optional(),
};
export type NodeRecord = z.infer<z.ZodObject<typeof nodeRecordShape>>;
/** Loose on purpose: a field a newer planner stores survives a round trip through this reader. */
export const NodeRecordSchema: z.ZodType<NodeRecord> = z.looseObject(nodeRecordShape);

/** The stored task record; stores validate every record they read back with it. */
export const TaskRecordSchema: z.ZodType<TaskRecord> = z.object({
  task: z.intersection(TaskSubmission, z.object({ id: Id })),
  pipelineName: z.string(),
  pipeline: PipelineDefinition.optional(),
  planReport: NodeReport.optional(),
  startedAt: z.number(),
  status: z.enum(['queued', 'running', 'completed', 'failed']),
  nodes: z.record(z.string(), NodeRecordSchema),
  result: TaskResult.optional(),
  owner: z.string().optional(),
  updatedAt: z.number().optional(),
});
