import type { NatsConnection } from '@nats-io/nats-core';
import { checkPipeline, type PlannedTask } from '@troupe/planner';
import {
  ErrorCode,
  PipelineDefinition,
  TroupeError,
  getTroupeErrorFromUnknown,
  subjects,
  type NodeReport,
  type SubtaskRequest,
  type TokenUsage,
  type WorkerResult,
} from '@troupe/protocol';
import { requestJson } from '@troupe/transport';

/** The skill whose workers draft DAGs; any worker model with JSON output can serve it. */
export const PLAN_SKILL = 'plan';

export interface DraftPlanOptions {
  connection: NatsConnection;
  task: PlannedTask;
  knownSkills: readonly string[];
  /** Reasons a previous plan failed (static problems or judge verdicts), for replanning. */
  feedback?: readonly string[];
  maxDrafts?: number;
  timeoutMs?: number;
  /** Rejects a plan whose estimated cost does not fit the task's budget. */
  estimateCostUsd?: (pipeline: PipelineDefinition) => number;
}

export interface DraftedPlan {
  pipeline: PipelineDefinition;
  /** The planning calls, reported like a node so their tokens and cost are in the task's totals. */
  report: NodeReport;
}

/** JSON Schema the drafting model must follow: a small DAG over skills that really exist. */
export function planDraftSchema(knownSkills: readonly string[]): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      nodes: {
        type: 'array',
        minItems: 1,
        maxItems: 8,
        items: {
          type: 'object',
          properties: {
            id: { type: 'string', enum: ['step-1', 'step-2', 'step-3', 'step-4', 'step-5', 'step-6', 'step-7', 'step-8'] },
            skill: { type: 'string', enum: [...knownSkills].filter((skill) => skill !== PLAN_SKILL) },
            dependsOn: { type: 'array', maxItems: 4, items: { type: 'string' } },
            instructions: { type: 'string', maxLength: 300 },
          },
          required: ['id', 'skill', 'dependsOn', 'instructions'],
        },
      },
    },
    required: ['nodes'],
  };
}

/**
 * LLM planner mode: a worker model drafts the DAG as grammar-constrained JSON; the draft is
 * checked statically (schema, acyclic, known parents and skills, budget) before anything runs,
 * and redrafted with the problems as feedback, up to `maxDrafts` times.
 */
export async function draftPlan(options: DraftPlanOptions): Promise<DraftedPlan> {
  const { connection, task } = options;
  const maxDrafts = options.maxDrafts ?? 3;
  const feedback = [...(options.feedback ?? [])];
  const usage: TokenUsage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
  let costUsd = 0;
  let last: WorkerResult | undefined;
  for (let attempt = 1; attempt <= maxDrafts; attempt += 1) {
    const request: SubtaskRequest = {
      taskId: task.id,
      tenant: task.tenant,
      nodeId: 'llm-plan',
      attempt,
      skill: PLAN_SKILL,
      instructions:
        'Split the task into a few steps. Each step uses one skill; list the ids of the steps it needs in dependsOn. Steps run in parallel when they do not depend on each other.',
      input: task.input,
      outputSchema: planDraftSchema(options.knownSkills),
      quality: task.quality,
      timeoutMs: options.timeoutMs ?? 30_000,
      feedback,
      stream: false,
    };
    last = (await requestJson(connection, subjects.workerRun(PLAN_SKILL), request, {
      timeoutMs: (options.timeoutMs ?? 30_000) + 2_000,
      idempotencyKey: `${task.tenant}:${task.id}:llm-plan:${attempt}:${feedback.length}`,
      spanName: 'troupe.planner.draft-plan',
    })) as WorkerResult;
    usage.inputTokens += last.usage.inputTokens;
    usage.outputTokens += last.usage.outputTokens;
    costUsd += last.costUsd;
    const problems = problemsOf(last.output, options);
    if (problems.pipeline) {
      return {
        pipeline: problems.pipeline,
        report: { nodeId: 'llm-plan', skill: PLAN_SKILL, status: 'succeeded', attempts: attempt, model: last.model, provider: last.provider, output: last.output, usage, costUsd },
      };
    }
    feedback.push(...problems.reasons);
  }
  throw new TroupeError(ErrorCode.PLAN_INVALID, `no valid plan after ${maxDrafts} drafts: ${feedback.slice(-3).join('; ')}`, {
    details: { lastDraft: last?.output ?? null, costUsd },
  });
}

function problemsOf(output: unknown, options: DraftPlanOptions): { pipeline?: PipelineDefinition; reasons: string[] } {
  const parsed = PipelineDefinition.safeParse({ name: 'llm-plan', ...(typeof output === 'object' && output !== null ? output : {}) });
  if (!parsed.success) return { reasons: parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.')}: ${issue.message}`) };
  try {
    checkPipeline(parsed.data, { knownSkills: new Set(options.knownSkills) });
  } catch (error) {
    return { reasons: [getTroupeErrorFromUnknown(error).message] };
  }
  const budget = options.task.budgetUsd;
  if (budget !== undefined && options.estimateCostUsd) {
    const estimate = options.estimateCostUsd(parsed.data);
    if (estimate > budget) return { reasons: [`the plan is estimated at $${estimate.toFixed(4)}, over the budget of $${budget}`] };
  }
  return { pipeline: parsed.data, reasons: [] };
}
