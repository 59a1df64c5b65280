import { z } from 'zod';
import { ChatRequest, ToolCallRecord } from './chat.js';
import { CallMetrics, Id, JsonSchemaObject, Quality, Skill, TenantId, TokenUsage } from './common.js';
import { NodeContext } from './pipeline.js';

/** How a node's answer came from the semantic cache instead of a model call. */
export const CacheReport = z.object({
  cache: z.enum(['exact', 'semantic']),
  /** Cosine similarity of the asked and the stored question (1 for an exact hit). */
  similarity: z.number().min(-1).max(1),
  /** What the model call would have cost, at the price of the model that produced the stored answer. */
  savedCostUsd: z.number().nonnegative(),
});
export type CacheReport = z.infer<typeof CacheReport>;

/** What retrieval gave a node: the chunks' sources and the exact text shown to the model and the judge. */
export const RetrievalReport = z.object({
  collection: Id,
  chunks: z.array(z.object({ id: z.string(), source: z.string(), score: z.number() })),
  context: z.string(),
});
export type RetrievalReport = z.infer<typeof RetrievalReport>;

/** What the planner sends a worker: one node, its resolved input, and how to run it. */
export const SubtaskRequest = z
  .object({
    taskId: Id,
    tenant: TenantId,
    nodeId: Id,
    attempt: z.number().int().min(1),
    skill: Skill,
    instructions: z.string(),
    /** The task input plus each parent's output, keyed by parent node id. */
    input: z.unknown(),
    outputSchema: JsonSchemaObject.optional(),
    /** The model chosen by the router (or pinned); workers fall back to their default. */
    model: z.string().optional(),
    /** Model to consult when the worker's own model flags the step as unsure (advisor pattern). */
    advisor: z.string().optional(),
    quality: Quality.default('balanced'),
    timeoutMs: z.number().int().min(1),
    /** Reasons from a failed verdict, so a retry can correct itself. */
    feedback: z.array(z.string()).default([]),
    /** Publish token deltas as progress events on the task's events subject. */
    stream: z.boolean().default(false),
    /** Largest cost the caller has reserved for this call; a provider must not exceed it. */
    maxCostUsd: z.number().nonnegative().optional(),
    /** Retrieve context for the prompt (the node's `context`). */
    context: NodeContext.optional(),
    /** `false`: do not answer from, or store into, the semantic cache. */
    cache: z.boolean().optional(),
    /** The node's chat conversation, sent to the model as is. */
    chat: ChatRequest.optional(),
  })
  .meta({ id: 'SubtaskRequest' });
export type SubtaskRequest = z.infer<typeof SubtaskRequest>;
export type SubtaskRequestInput = z.input<typeof SubtaskRequest>;

/** A worker's answer for one attempt of one node. */
export const WorkerResult = z
  .object({
    taskId: Id,
    nodeId: Id,
    attempt: z.number().int().min(1),
    output: z.unknown(),
    text: z.string().optional(),
    model: z.string(),
    provider: z.string(),
    usage: TokenUsage,
    costUsd: z.number().nonnegative(),
    metrics: CallMetrics,
    /** The worker flagged this step as one it is unsure about (advisor pattern). */
    flagged: z.boolean().default(false),
    /** The advisor model consulted for a flagged step; its tokens and cost are included above. */
    advisorModel: z.string().optional(),
    /** The model's own confidence in this answer (0..1), e.g. token probability or a classifier's score. */
    confidence: z.number().min(0).max(1).optional(),
    /** Small facts about the answer a judge gate may read (label, margin, ...). */
    metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    worker: z.string().optional(),
    /** Set when the semantic cache answered instead of a model. */
    cache: CacheReport.optional(),
    /** Set when the node retrieved context; the judge checks facts against `retrieval.context`. */
    retrieval: RetrievalReport.optional(),
    /** Tool calls the model made (MCP or code tools), in order, with their results. */
    toolCalls: z.array(ToolCallRecord).optional(),
  })
  .meta({ id: 'WorkerResult' });
export type WorkerResult = z.infer<typeof WorkerResult>;
