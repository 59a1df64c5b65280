import { z } from 'zod';
import { Id, JsonSchemaObject, Skill } from './common.js';

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
  maxAttempts: z.number().int().min(1).max(10).default(2),
  timeoutMs: z.number().int().min(1).max(600_000).default(30_000),
  /** Judge checks for this node's output (e.g. `schema`, `pii`, `factuality`, `policy`, `rubric`); the judge's defaults when omitted. */
  checks: z.array(z.string().min(1).max(64)).max(16).optional(),
  /** Run only when the named parent's output field equals the value (support triage branches). */
  when: z.object({ node: Id, field: z.string(), equals: z.unknown() }).optional(),
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
