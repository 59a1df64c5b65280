import type { Span } from '@opentelemetry/api';
import { silentLogger, type Logger } from '@troupe/models';
import { ErrorCode, TroupeError, type SubtaskRequest, type TokenUsage, type WorkerResult } from '@troupe/protocol';
import type { z } from 'zod';
import type { CodeSkill, SkillContext, SkillModelCall, SkillModelResult } from './define-skill.js';

/** The provider name on results of code skills; `model` is `code:<skill>`. */
export const CODE_PROVIDER = 'code';

export interface RunCodeSkillOptions {
  /** Aborted when the request's deadline passes or the worker stops. */
  signal?: AbortSignal;
  logger?: Logger;
  span?: Span;
  /** How `context.callModel` reaches a model (the host's registry, budgets included). */
  callModel?: (call: SkillModelCall, signal: AbortSignal) => Promise<SkillModelResult>;
  workerId?: string;
  /** The node's retrieved context (see `SkillContext.retrieved`). */
  retrieved?: string;
  /** The input is a model's tool arguments, not a node input: `fromNode` does not apply. */
  asTool?: boolean;
}

/**
 * Runs one attempt of a code skill: validates the node input, runs the function under the node's
 * deadline, validates its output, and reports a WorkerResult whose cost is the sum of the model
 * calls it made (0 for pure code) and whose latency is the function's wall time.
 * A plain throw becomes NODE_FAILED with its message; a TroupeError keeps its code.
 */
export async function runCodeSkill(skill: CodeSkill, request: SubtaskRequest, options: RunCodeSkillOptions = {}): Promise<WorkerResult> {
  const started = performance.now();
  const nodeInput = options.asTool ? request.input : skill.fromNode ? skill.fromNode(request.input) : request.input;
  const input = validate(
    skill.input,
    nodeInput,
    (issues) => new TroupeError(ErrorCode.NODE_FAILED, `code skill "${skill.name}" got input it does not accept: ${issues}`, { retryable: false }),
  );
  const deadline = Date.now() + request.timeoutMs;
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new TroupeError(ErrorCode.TIMEOUT, `code skill "${skill.name}" timed out after ${request.timeoutMs} ms`)),
    request.timeoutMs,
  );
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  const logger = (options.logger ?? silentLogger).child({
    skill: skill.name,
    taskId: request.taskId,
    nodeId: request.nodeId,
    attempt: request.attempt,
  });
  let usage: TokenUsage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
  let costUsd = 0;
  const context: SkillContext = {
    signal,
    deadline,
    logger,
    span: options.span,
    task: { taskId: request.taskId, tenant: request.tenant, nodeId: request.nodeId, attempt: request.attempt },
    context: typeof request.input === 'string' ? request.input : JSON.stringify(request.input),
    retrieved: options.retrieved,
    instructions: request.instructions,
    feedback: request.feedback,
    callModel: async (call) => {
      if (!options.callModel) throw new TroupeError(ErrorCode.NO_ROUTE, `code skill "${skill.name}" called a model, but this host has no models`);
      const result = await options.callModel(call, signal);
      usage = {
        inputTokens: usage.inputTokens + result.usage.inputTokens,
        outputTokens: usage.outputTokens + result.usage.outputTokens,
        cachedInputTokens: (usage.cachedInputTokens ?? 0) + (result.usage.cachedInputTokens ?? 0),
      };
      costUsd += result.costUsd;
      return result;
    },
  };
  let raw: unknown;
  try {
    raw = await untilAborted(skill.run(input, context), signal);
  } catch (error) {
    throw failure(skill.name, error, signal);
  } finally {
    clearTimeout(timer);
  }
  const output = validate(
    skill.output,
    raw,
    (issues) =>
      new TroupeError(ErrorCode.OUTPUT_INVALID, `code skill "${skill.name}" returned output that does not match its schema: ${issues}`, {
        retryable: false,
      }),
  );
  const latencyMs = performance.now() - started;
  options.span?.setAttributes({ 'troupe.skill.kind': 'code', 'troupe.cost_usd': costUsd, 'troupe.latency_ms': latencyMs });
  logger.debug({ latencyMs, costUsd }, 'code skill answered');
  return {
    taskId: request.taskId,
    nodeId: request.nodeId,
    attempt: request.attempt,
    output,
    text: typeof output === 'string' ? output : JSON.stringify(output),
    model: `${CODE_PROVIDER}:${skill.name}`,
    provider: CODE_PROVIDER,
    usage,
    costUsd,
    metrics: { latencyMs, queueWaitMs: 0 },
    flagged: false,
    ...(options.workerId ? { worker: options.workerId } : {}),
  };
}

function validate<T>(schema: z.ZodType<T>, value: unknown, error: (issues: string) => TroupeError): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw error(
    parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; '),
  );
}

/** A skill that ignores its signal must still not outlive its deadline: the node answers when the signal fires. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function failure(skill: string, error: unknown, signal: AbortSignal): TroupeError {
  if (error instanceof TroupeError) return error;
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    return reason instanceof TroupeError ? reason : new TroupeError(ErrorCode.CANCELLED, `code skill "${skill}" was cancelled`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new TroupeError(ErrorCode.NODE_FAILED, `code skill "${skill}" failed: ${message}`, { cause: error, retryable: false });
}
