import type { NatsConnection } from '@nats-io/nats-core';
import { trace } from '@opentelemetry/api';
import { costOf } from '@troupe/models';
import { ErrorCode, QueueGroup, SubtaskRequest, TroupeError, subjects, type WorkerResult } from '@troupe/protocol';
import { codeSkillTool, runCodeSkill, type CodeSkill, type SkillModelCall, type SkillModelResult } from '@troupe/skills';
import type { Tool } from '@troupe/tools';
import { withTools } from '@troupe/tools';
import { createTroupeService, defineEndpoint, silentLogger, type Logger, type TroupeService } from '@troupe/transport';
import type { ResolvedModel } from '@troupe/worker';
import type { ModelCatalog } from './model-catalog.js';
import { prepareContext, type WorkerContextLayer } from './worker-context.js';
import { WORKER_SERVICE_NAME } from './skill-directory.js';
import type { NodeResultLedger } from './worker-host.js';

export interface CodeSkillHostOptions {
  connection: NatsConnection;
  skills: readonly CodeSkill[];
  /** Models `context.callModel` may use; without them a skill that calls a model fails with NO_ROUTE. */
  models?: ModelCatalog;
  /** Model for `callModel` calls that name none. */
  defaultModel?: string;
  /** Wraps the model of each `callModel` (budgets), as for model skills. */
  wrapModel?: (resolved: ResolvedModel, request: SubtaskRequest) => ResolvedModel;
  ledger?: NodeResultLedger;
  /** Its context store fills `ctx.retrieved` for nodes with `context: { collection }`, as for model skills. */
  context?: WorkerContextLayer;
  logger?: Logger;
  workerId?: string;
  maxPayloadBytes?: number;
}

/**
 * Hosts code skills (`defineSkill`) as worker endpoints — the same subject, queue group, service
 * name (`troupe-worker`) and `skill` endpoint metadata as model skills — so the planner discovers,
 * dispatches, judges and retries them like any skill.
 */
export async function hostCodeSkills(options: CodeSkillHostOptions): Promise<TroupeService> {
  const logger = (options.logger ?? silentLogger).child({ actor: 'code-worker' });
  const totals = { calls: 0, failures: 0, costUsd: 0, latencyMs: 0 };
  const callModel = options.models ? modelCaller(options) : undefined;

  const execute = async (skill: CodeSkill, request: SubtaskRequest, signal: AbortSignal): Promise<WorkerResult> => {
    try {
      // The same retrieval as a model skill's; the judge then checks facts against the retrieved chunks.
      const { retrieval } = await prepareContext(options.context, request, 'code');
      const result = await runCodeSkill(skill, request, {
        signal,
        ...(retrieval ? { retrieved: retrieval.context } : {}),
        logger,
        span: trace.getActiveSpan(),
        ...(callModel ? { callModel: (call: SkillModelCall, callSignal: AbortSignal) => callModel(call, request, callSignal) } : {}),
        ...(options.workerId ? { workerId: options.workerId } : {}),
      });
      totals.calls += 1;
      totals.costUsd += result.costUsd;
      totals.latencyMs += result.metrics.latencyMs;
      trace.getActiveSpan()?.setAttributes({ 'troupe.task.id': request.taskId, 'troupe.node.id': request.nodeId });
      return retrieval ? { ...result, retrieval } : result;
    } catch (error) {
      totals.failures += 1;
      throw error;
    }
  };

  return createTroupeService({
    connection: options.connection,
    name: WORKER_SERVICE_NAME,
    version: '0.1.0',
    description: `Runs code skills ${options.skills.map((skill) => skill.name).join(', ')}.`,
    metadata: { skills: options.skills.map((skill) => skill.name).join(','), kind: 'code' },
    logger,
    ...(options.maxPayloadBytes ? { maxPayloadBytes: options.maxPayloadBytes } : {}),
    stats: () => ({ ...totals }),
    endpoints: options.skills.map((skill) =>
      defineEndpoint({
        name: skill.name,
        subject: subjects.workerRun(skill.name),
        queue: QueueGroup.worker(skill.name),
        schema: SubtaskRequest,
        spanName: 'troupe.worker.run',
        idempotent: true,
        metadata: { skill: skill.name, kind: 'code' },
        handle: (request, context) =>
          options.ledger
            ? options.ledger.runOnce(request, () => execute(skill, request, context.signal), context.signal)
            : execute(skill, request, context.signal),
      }),
    ),
  });
}

/** `context.callModel` over the host's catalog: the budget wrapper applies and the cost is priced like a model skill's. */
function modelCaller(options: CodeSkillHostOptions) {
  const models = options.models!;
  return async (call: SkillModelCall, request: SubtaskRequest, signal: AbortSignal): Promise<SkillModelResult> => {
    const id = call.model ?? options.defaultModel ?? models.configs[0]?.id;
    if (!id) throw new TroupeError(ErrorCode.NO_ROUTE, 'a code skill called a model, but no model is registered');
    const base = await models.get(id);
    const resolved = options.wrapModel ? options.wrapModel(base, request) : base;
    const messages = call.messages ?? [{ role: 'user' as const, content: call.prompt ?? '' }];
    const generation = await resolved.model.doGenerate({
      messages,
      signal,
      ...(call.schema ? { responseSchema: call.schema } : {}),
      ...(call.maxOutputTokens ? { maxOutputTokens: call.maxOutputTokens } : {}),
    });
    let output: unknown = generation.text;
    if (call.schema) {
      try {
        output = JSON.parse(generation.text);
      } catch (cause) {
        throw new TroupeError(ErrorCode.OUTPUT_INVALID, `model "${id}" returned text that is not valid JSON`, { cause, retryable: true });
      }
    }
    return { text: generation.text, output, model: id, usage: generation.usage, costUsd: costOf(generation.usage, resolved.pricing) };
  };
}

/**
 * Gives model skills code skills as tools: a `wrapModel` for `hostWorker` that, for a request whose
 * skill is in `toolsBySkill`, wraps the model with the one tool loop (`withTools`) over those skills.
 * The loop's usage is summed, so the node's cost covers every model turn.
 */
export function codeSkillsAsTools(
  skills: readonly CodeSkill[],
  toolsBySkill: Readonly<Record<string, readonly string[]>>,
  options: { logger?: Logger; maxSteps?: number; wrapModel?: (resolved: ResolvedModel, request: SubtaskRequest) => ResolvedModel } = {},
): (resolved: ResolvedModel, request: SubtaskRequest) => ResolvedModel {
  const byName = new Map(skills.map((skill) => [skill.name, skill]));
  for (const [skill, names] of Object.entries(toolsBySkill)) {
    for (const name of names)
      if (!byName.has(name))
        throw new TroupeError(ErrorCode.CONFIG_INVALID, `skill "${skill}" is offered tool "${name}", which is no code skill here`);
  }
  return (resolved, request) => {
    const inner = options.wrapModel ? options.wrapModel(resolved, request) : resolved;
    const names = toolsBySkill[request.skill];
    if (!names?.length) return inner;
    const tools: Tool[] = names.map((name) => codeSkillTool(byName.get(name)!, request, options.logger ? { logger: options.logger } : {}));
    return { ...inner, model: withTools(inner.model, tools, options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}) };
  };
}
