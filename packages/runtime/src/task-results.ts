import { ErrorCode, TroupeError, type NodeReport, type TaskResult } from '@troupe/protocol';
import type { TaskQueue, TaskRecord, TaskStore } from '@troupe/store-contract';
import type { TaskRuns } from './task-runs.js';

/** How often a waiter looks at the shared store for a task another replica runs. */
const STORE_POLL_MS = 100;

/**
 * Waits for the final record of a task running elsewhere (queued, or on another replica), until
 * `until` (epoch ms) or `signal`; resolves with the latest record seen either way.
 */
export async function awaitFinalRecord(store: TaskStore, record: TaskRecord, options: { until?: number; signal?: AbortSignal }): Promise<TaskRecord> {
  const { tenant, id } = record.task;
  let latest = record;
  const until = options.until ?? Number.POSITIVE_INFINITY;
  while (!latest.result && Date.now() < until && !options.signal?.aborted) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(STORE_POLL_MS, Math.max(0, until - Date.now()))));
    latest = (await store.get(tenant, id)) ?? latest;
  }
  return latest;
}

/**
 * The result for a repeated `tasks.run` of a known id: stored, running here, or — with a queue — a
 * task whose planner died, queued again (a no-op if it is queued already) so a replica resumes it.
 */
export async function resultOfDuplicate(
  record: TaskRecord,
  context: { runs: TaskRuns; store: TaskStore; queue?: TaskQueue; signal?: AbortSignal },
): Promise<TaskResult> {
  if (record.result) return record.result;
  const { tenant, id } = record.task;
  const running = context.runs.get(tenant, id);
  if (running) return running.result;
  if (!context.queue || !context.signal) throw new TroupeError(ErrorCode.NOT_FOUND, `task "${id}" is not running in this planner`);
  if (record.status === 'running' && record.pipeline) {
    await context.queue.enqueue({ task: record.task, pipeline: record.pipeline, ...(record.planReport ? { planReport: record.planReport } : {}) });
  }
  const latest = await awaitFinalRecord(context.store, record, { signal: context.signal });
  if (latest.result) return latest.result;
  throw new TroupeError(ErrorCode.TIMEOUT, `task "${id}" did not finish before the request's deadline; ask again with the same id`);
}

/** Adds the LLM planning calls to the result, so their tokens and cost are never hidden. */
export function withPlanReport(result: TaskResult, report: NodeReport): TaskResult {
  return {
    ...result,
    nodes: [report, ...result.nodes],
    costUsd: result.costUsd + report.costUsd,
    usage: {
      inputTokens: result.usage.inputTokens + (report.usage?.inputTokens ?? 0),
      outputTokens: result.usage.outputTokens + (report.usage?.outputTokens ?? 0),
      cachedInputTokens: result.usage.cachedInputTokens + (report.usage?.cachedInputTokens ?? 0),
    },
  };
}

/** What `tasks.result` answers for a task that has no result yet. */
export function pendingResult(record: TaskRecord): TaskResult {
  return {
    taskId: record.task.id,
    tenant: record.task.tenant,
    status: record.status === 'queued' ? 'accepted' : 'running',
    nodes: [],
    usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 },
    costUsd: 0,
    latencyMs: Date.now() - record.startedAt,
  };
}
