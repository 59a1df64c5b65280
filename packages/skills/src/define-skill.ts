import type { Span } from '@opentelemetry/api';
import type { ChatMessage, Logger } from '@troupe/models';
import { ErrorCode, Skill, TroupeError, type TokenUsage } from '@troupe/protocol';
import type { z } from 'zod';

/** A model call made from inside a code skill (a hybrid step); its cost is charged to the node. */
export interface SkillModelCall {
  /** A plain prompt (sent as one user message) or a full conversation. */
  prompt?: string;
  messages?: ChatMessage[];
  /** Registry id; defaults to the host's default model. */
  model?: string;
  /** JSON Schema the answer must follow; `output` is then the parsed JSON. */
  schema?: Record<string, unknown>;
  maxOutputTokens?: number;
}

export interface SkillModelResult {
  text: string;
  /** The parsed JSON when a schema was given, else the text. */
  output: unknown;
  model: string;
  usage: TokenUsage;
  costUsd: number;
}

/** What a code skill gets besides its input. */
export interface SkillContext {
  /** Aborted at the node's deadline or when the task is cancelled; forward it to I/O. */
  signal: AbortSignal;
  /** Epoch ms after which the answer is no longer wanted. */
  deadline: number;
  logger: Logger;
  /** The worker's span for this attempt (undefined when tracing is off); add attributes or events. */
  span: Span | undefined;
  /** Which task, tenant, node and attempt this run is for. */
  task: { taskId: string; tenant: string; nodeId: string; attempt: number };
  /** The node input as text: what the judge checks facts against when nothing was retrieved. */
  context: string;
  /**
   * The chunks retrieved for the node (its pipeline `context: { collection, query?, k }`), formatted
   * as the judge sees them; undefined when the node retrieves nothing or the host has no context store.
   */
  retrieved: string | undefined;
  /** The node's instructions from the pipeline. */
  instructions: string;
  /** Reasons from a failed verdict, when this attempt is a retry. */
  feedback: readonly string[];
  /** Calls a model from the host's registry; tokens and cost are added to this node's result. */
  callModel(call: SkillModelCall): Promise<SkillModelResult>;
}

/** A typed function served as a worker skill beside model skills. */
export interface CodeSkill<Input = unknown, Output = unknown> {
  readonly kind: 'code-skill';
  readonly name: string;
  readonly description: string;
  readonly input: z.ZodType<Input>;
  readonly output: z.ZodType<Output>;
  /** Maps a pipeline node's input (`{ task, from }`) to what `input` validates; identity when absent. */
  readonly fromNode?: (nodeInput: unknown) => unknown;
  run(input: Input, context: SkillContext): Promise<Output>;
}

export interface SkillDefinition<Input, Output> {
  /** The skill name pipelines use (`[a-z][a-z0-9-]*`). */
  name: string;
  description?: string;
  /** Validates the function's input before `run` (also the JSON Schema a model sees when the skill is a tool). */
  input: z.ZodType<Input>;
  /** Validates what `run` returns before it is sent; a mismatch fails the node. */
  output: z.ZodType<Output>;
  /**
   * As a pipeline node the skill receives `{ task, from }` (the task input and each parent's
   * output); map it to the function's input here. As a tool it receives the model's arguments as is.
   */
  fromNode?: (nodeInput: unknown) => unknown;
  run(input: Input, context: SkillContext): Promise<Output>;
}

/**
 * Declares a code skill: a typed function that workers serve like a model skill — judged, traced,
 * retried and budgeted by the same planner. Cost is 0 unless it calls `context.callModel`.
 *
 * @example
 * export const refundRule = defineSkill({
 *   name: 'refund-rule',
 *   input: z.object({ task: z.object({ amount: z.number(), daysSincePurchase: z.number() }) }),
 *   output: z.object({ refundable: z.boolean() }),
 *   run: async ({ task }) => ({ refundable: task.daysSincePurchase <= 30 && task.amount < 500 }),
 * });
 */
export function defineSkill<Input, Output>(definition: SkillDefinition<Input, Output>): CodeSkill<Input, Output> {
  const name = Skill.safeParse(definition.name);
  if (!name.success)
    throw new TroupeError(
      ErrorCode.CONFIG_INVALID,
      `code skill name "${definition.name}" is not a valid skill name (lower-case letters, digits and "-")`,
    );
  return {
    kind: 'code-skill',
    name: definition.name,
    description: definition.description ?? definition.name,
    input: definition.input,
    output: definition.output,
    ...(definition.fromNode ? { fromNode: definition.fromNode } : {}),
    run: definition.run,
  };
}

/** Whether a value (e.g. an export of a skills module) is a skill made by `defineSkill`. */
export function isCodeSkill(value: unknown): value is CodeSkill {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'code-skill' &&
    typeof (value as { run?: unknown }).run === 'function'
  );
}
