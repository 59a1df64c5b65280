import {
  ErrorCode,
  Header,
  QueueGroup,
  TaskQuery,
  TaskSubmission,
  TroupeError,
  subjects,
  tenantOfSubject,
  type PipelineDefinition,
  type NodeReport,
  type TaskResult,
} from '@troupe/protocol';
import type { PlannedTask } from '@troupe/planner';
import type { TaskQueue, TaskRecord, TaskStore } from '@troupe/store-contract';
import { defineEndpoint, type EndpointDefinition, type Logger, type RequestContext } from '@troupe/transport';
import type { TaskAdmission } from './task-admission.js';
import { awaitFinalRecord, pendingResult, resultOfDuplicate } from './task-results.js';
import type { TaskRuns } from './task-runs.js';

export interface PlannerEndpointsContext {
  admission: TaskAdmission;
  runs: TaskRuns;
  store: TaskStore;
  queue: TaskQueue | undefined;
  logger: Logger;
  /** Starts a new task in this replica (or follows it if it already runs here). */
  start(task: PlannedTask, pipeline: PipelineDefinition, planReport?: NodeReport): Promise<TaskResult>;
}

/** The caller's deadline (epoch ms) from the request headers, if it sent one. */
function deadlineOf(context: RequestContext): number | undefined {
  const deadline = Number(context.headers?.get(Header.deadline) || 0);
  return Number.isFinite(deadline) && deadline > 0 ? deadline : undefined;
}

/**
 * `tasks.run` (run and wait for the result), `tasks.submit` (accept, durably when there is a
 * queue, and reply at once) and `tasks.result` (the stored or awaited result). `run` is idempotent
 * by the `Troupe-Idempotency-Key` header (the same key gets the same reply); `submit` by task id
 * (a resubmitted id is answered `duplicate: true`).
 */
export function plannerEndpoints(host: PlannerEndpointsContext): EndpointDefinition[] {
  /** What `run` and `submit` share: a TaskSubmission, answered by one replica of the group. */
  const submission = { queue: QueueGroup.planner, schema: TaskSubmission, invalidCode: ErrorCode.INVALID_TASK } as const;
  const run = defineEndpoint({
    ...submission,
    name: 'run',
    subject: subjects.anyTenant.taskRun,
    spanName: 'troupe.planner.run',
    // Same `Troupe-Idempotency-Key` → same reply, the task run once (across replicas with a shared store).
    idempotent: true,
    handle: async (raw, context) => {
      const admitted = await host.admission.admit(raw, context.subject, deadlineOf(context));
      if (admitted.kind === 'duplicate')
        return resultOfDuplicate(admitted.record, { ...host, ...(host.queue ? { queue: host.queue } : {}), signal: context.signal });
      return host.start({ ...admitted.task, progress: raw.progress ?? false }, admitted.pipeline, admitted.planReport);
    },
  });
  const submit = defineEndpoint({
    ...submission,
    name: 'submit',
    subject: subjects.anyTenant.taskSubmit,
    spanName: 'troupe.planner.submit',
    handle: async (raw, context) => {
      const admitted = await host.admission.admit(raw, context.subject, deadlineOf(context));
      const task = admitted.kind === 'duplicate' ? admitted.record.task : admitted.task;
      let duplicate = admitted.kind === 'duplicate';
      if (admitted.kind === 'new' && host.queue) {
        // Replied only once JetStream has stored it: from here on no process death loses the task.
        ({ duplicate } = await host.queue.enqueue({
          task,
          pipeline: admitted.pipeline,
          ...(admitted.planReport ? { planReport: admitted.planReport } : {}),
        }));
        // Lets `tasks.result` say "accepted" before a replica picks the task up; never overwrites progress.
        const queued: TaskRecord = { task, pipelineName: admitted.pipeline.name, startedAt: Date.now(), status: 'queued', nodes: {} };
        await host.store.put(queued, { expectedRevision: 0 }).catch(() => undefined);
      } else if (admitted.kind === 'new') {
        host
          .start(task, admitted.pipeline, admitted.planReport)
          .catch((error: unknown) => host.logger.error({ err: error, taskId: task.id }, 'task crashed'));
      }
      return { taskId: task.id, tenant: task.tenant, eventsSubject: subjects.taskEvents(task.tenant, task.id), duplicate };
    },
  });
  const result = defineEndpoint({
    name: 'result',
    subject: subjects.anyTenant.taskResult,
    queue: QueueGroup.planner,
    schema: TaskQuery,
    spanName: 'troupe.planner.result',
    handle: async (query, context) => {
      const tenant = tenantOfSubject(context.subject) ?? query.tenant;
      const record = await host.store.get(tenant, query.taskId);
      if (!record) throw new TroupeError(ErrorCode.NOT_FOUND, `no task "${query.taskId}" for tenant "${tenant}"`);
      if (record.result || query.waitMs === 0) return record.result ?? pendingResult(record);
      const running = host.runs.get(tenant, query.taskId);
      if (running) {
        const timedOut = new Promise<TaskResult>((resolve) => setTimeout(() => resolve(pendingResult(record)), query.waitMs));
        return Promise.race([running.result, timedOut]).catch(() => pendingResult(record));
      }
      // Queued, or running on another replica: watch the shared store until it finishes.
      const latest = await awaitFinalRecord(host.store, record, { until: Date.now() + query.waitMs, signal: context.signal });
      return latest.result ?? pendingResult(latest);
    },
  });
  return [run, submit, result];
}
