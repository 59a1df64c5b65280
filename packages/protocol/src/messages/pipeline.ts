import { z } from 'zod';
import { ChatRequest } from './chat.js';
import { Id, JsonSchemaObject, Skill } from './common.js';

/** A judge check name (`schema`, `pii`, `consensus`, `confidence`, `rubric`, ...). */
const CheckName = z.string().min(1).max(64);

/**
 * The gate after one cascade step: the judge checks the step's answer must pass to be accepted.
 * Failing it escalates to the next step. Any check the judge knows can be a gate, including one
 * that reads the worker's reported `confidence` or `metadata` (a classifier's low-confidence gate).
 */
export const CascadeGate = z.object({
  checks: z.array(CheckName).min(1).max(16),
  /**
   * For the `consensus` check: models the planner asks the same subtask (each call charged); the
   * judge passes the answer when a peer's normalised answer agrees with it (FrugalGPT agreement).
   */
  consensusModels: z.array(z.string().min(1).max(200)).max(4).optional(),
  /** For the `confidence` check: the least worker-reported confidence (0..1) that passes. */
  minConfidence: z.number().min(0).max(1).optional(),
});
export type CascadeGate = z.infer<typeof CascadeGate>;

/** One step of a cascade: the model to call, and the gate its answer must pass (none: accepted as is). */
export const CascadeStep = z.object({ model: z.string().min(1).max(200), gate: CascadeGate.optional() });
export type CascadeStep = z.infer<typeof CascadeStep>;

/** Ordered cheapest first; the planner runs step 1, and a failing gate escalates to the next step. */
export const Cascade = z.array(CascadeStep).min(1).max(8);
export type Cascade = z.infer<typeof Cascade>;

/**
 * Retrieval for one node: chunks of `collection` that best match `query` (the node's input when
 * omitted) are put in the worker's prompt and handed to the judge, which checks facts against them.
 */
export const NodeContext = z.object({
  collection: Id,
  query: z.string().min(1).max(2_000).optional(),
  k: z.number().int().min(1).max(20).default(4),
  /** Drop chunks whose fused retrieval score (0–1) is below this. */
  minScore: z.number().min(0).max(1).optional(),
});
export type NodeContext = z.infer<typeof NodeContext>;

/** One step of a declarative pipeline: a skill, what it depends on, and the shape of its output. */
export const PipelineNode = z.object({
  id: Id,
  skill: Skill,
  dependsOn: z.array(Id).default([]),
  instructions: z.string().max(20_000).default(''),
  outputSchema: JsonSchemaObject.optional(),
  /** Pin a model id from the registry; otherwise the router chooses. */
  model: z.string().optional(),
  /** A stronger model the worker consults only for steps its own model flags as unsure. */
  advisor: z.string().optional(),
  /** Escalation ladder of models with gates between steps; overrides `model` and the router. */
  cascade: Cascade.optional(),
  maxAttempts: z.number().int().min(1).max(10).default(2),
  timeoutMs: z.number().int().min(1).max(600_000).default(30_000),
  /** Judge checks for this node's output (e.g. `schema`, `pii`, `factuality`, `policy`, `rubric`); the judge's defaults when omitted. */
  checks: z.array(z.string().min(1).max(64)).max(16).optional(),
  /** Run only when the named parent's output field equals the value (support triage branches). */
  when: z.object({ node: Id, field: z.string(), equals: z.unknown() }).optional(),
  /** Retrieved context for this node (RAG). */
  context: NodeContext.optional(),
  /** `false` opts this node out of the semantic cache: never served from it, never stored in it. */
  cache: z.boolean().optional(),
  /** A chat conversation sent to the model as is (the gateway's chat requests). */
  chat: ChatRequest.optional(),
});
export type PipelineNode = z.infer<typeof PipelineNode>;
export type PipelineNodeInput = z.input<typeof PipelineNode>;

export const PipelineDefinition = z
  .object({
    name: Id,
    description: z.string().default(''),
    nodes: z.array(PipelineNode).min(1).max(200),
    /** Node whose output is the task's output; defaults to the last node. */
    output: Id.optional(),
  })
  .meta({ id: 'PipelineDefinition', description: 'A declarative DAG of skills.' });
export type PipelineDefinition = z.infer<typeof PipelineDefinition>;
export type PipelineDefinitionInput = z.input<typeof PipelineDefinition>;
