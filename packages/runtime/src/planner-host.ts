import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/nats-core';
import { createActor, fromPromise, toPromise } from 'xstate';
import {
  ErrorCode,
  JudgeRequest,
  PipelineDefinition,
  QueueGroup,
  SubtaskRequest,
  TaskQuery,
  TaskResult,
  TaskSubmission,
  TroupeError,
  Verdict,
  getTroupeErrorFromUnknown,
  WorkerResult,
  subjects,
  tenantOfSubject,
  type NodeReport,
  type PipelineNode,
  type ProgressEvent,
} from '@troupe/protocol';
import { checkPipeline, plannerMachine, type HumanDecision, type PlannedTask } from '@troupe/planner';
import { createTroupeService, defineEndpoint, encodeJson, requestJson, silentLogger, type Logger, type TroupeService } from '@troupe/transport';
import { savingsUsd } from '@troupe/budget';
import type { Pricing } from '@troupe/models';
import { draftPlan } from './llm-planner.js';
import { runQueuedTasks, type QueuedTaskRunner, type TaskHandle } from './queued-task-runner.js';
import { RecordWriter } from './record-writer.js';
import { retryWhileUnavailable, watchReconnects } from './request-recovery.js';
import { rewindInFlightNodes } from './resume-nodes.js';
import { SkillDirectory } from './skill-directory.js';
import type { TaskQueue } from '@troupe/store-contract';
import { createMemoryTaskStore } from './task-store.js';
import { isSuperseded, type TaskRecord, type TaskStore } from '@troupe/store-contract';

export interface ChooseModelInput {
  task: PlannedTask;
  node: PipelineNode;
  attempt: number;
  excludeModels: string[];
  /** Models some worker serves; routing to any other would fail. */
  servedModels: ReadonlySet<string>;
}

export interface PlannerHostOptions {
  connection: NatsConnection;
  pipelines: readonly PipelineDefinition[];
  logger?: Logger;
  /** The router: picks a model for each node attempt; undefined lets the worker use its default. */
  chooseModel?: (input: ChooseModelInput) => string | undefined | Promise<string | undefined>;
  store?: TaskStore;
  maxPayloadBytes?: number;
  /** Publish token deltas from workers as `node.token` events. */
  streamTokens?: boolean;
  /** Extra time a worker request may take beyond the node's own timeout (transport, queueing). */
  requestMarginMs?: number;
  humanReviewTimeoutMs?: number;
  /** How long the planner waits for one verdict (default 30 s). */
  judgeTimeoutMs?: number;
  /**
   * Durable submission: `tasks.submit` stores the task in this queue and replies at once; the
   * planner replicas take tasks from it, resume tasks a dead replica left mid-DAG (from `store`),
   * and give unfinished tasks back on shutdown. Without it, submitted tasks run in this process.
   */
  queue?: TaskQueue;
  /** Queued tasks this replica runs at once (default 64). */
  concurrency?: number;
  /** Estimates a pipeline's cost, so LLM-drafted plans over the task's budget are rejected before they run. */
  estimateCostUsd?: (pipeline: PipelineDefinition) => number;
  /** Sees every verdict with the result it judged, e.g. to train the router online. */
  onVerdict?: (feedback: { task: PlannedTask; node: PipelineNode; input: unknown; result: WorkerResult; verdict: Verdict }) => void;
  /** Runs before a new task starts, e.g. to set its budget limit in a shared ledger. */
  onTaskStart?: (task: PlannedTask) => Promise<void>;
  /** Pricing of the reference frontier model: each result reports `savingsUsd` against it. */
  referencePricing?: Pricing;
}

const VERSION = '0.1.0';

/**
 * Hosts the planner on `troupe.v1.*.tasks.{run,submit,result}`: checks the pipeline, runs the
 * planner machine with NATS-backed child actors (workers, judge, human review), publishes
 * progress, and replies with the TaskResult.
 */
export async function hostPlanner(options: PlannerHostOptions): Promise<TroupeService> {
  const { connection } = options;
  const logger = (options.logger ?? silentLogger).child({ actor: 'planner' });
  const pipelines = new Map(options.pipelines.map((pipeline) => [pipeline.name, PipelineDefinition.parse(pipeline)]));
  const store = options.store ?? createMemoryTaskStore();
  const skills = new SkillDirectory(connection);
  const running = new Map<string, Promise<TaskResult>>();
  const handles = new Map<string, TaskHandle>();
  const writers = new Map<string, RecordWriter>();
  /** This replica's identity in the records it owns; a new one per process, so a restart never mistakes an old write for its own. */
  const owner = randomUUID();
  const reconnects = watchReconnects(connection);
  const margin = options.requestMarginMs ?? 2_000;
  const totals = { tasks: 0, completed: 0, failed: 0, costUsd: 0 };

  const publish = (tenant: string, event: ProgressEvent) => connection.publish(subjects.taskEvents(tenant, event.taskId), encodeJson(event));

  const machine = plannerMachine.provide({
    actors: {
      runNode: fromPromise(async ({ input, signal }) => {
        if (input.attempt > 1) await persistedBeforeRetry(`${input.task.tenant}.${input.task.id}`, input.node.timeoutMs);
        const model = await options.chooseModel?.({
          task: input.task,
          node: input.node,
          attempt: input.attempt,
          excludeModels: input.excludeModels,
          servedModels: skills.models,
        });
        const request: SubtaskRequest = {
          taskId: input.task.id,
          tenant: input.task.tenant,
          nodeId: input.node.id,
          attempt: input.attempt,
          skill: input.node.skill,
          instructions: input.node.instructions,
          input: input.input,
          ...(input.node.outputSchema ? { outputSchema: input.node.outputSchema } : {}),
          ...(model ?? input.node.model ? { model: model ?? input.node.model } : {}),
          ...(input.node.advisor ? { advisor: input.node.advisor } : {}),
          quality: input.task.quality,
          timeoutMs: input.node.timeoutMs,
          feedback: input.feedback,
          // A chat node streams when its caller asked (the gateway's `stream: true`).
          stream: (options.streamTokens ?? false) || input.node.chat?.stream === true,
          ...(input.node.chat ? { chat: input.node.chat } : {}),
        };
        const send = () =>
          requestJson(connection, subjects.workerRun(input.node.skill), request, {
            timeoutMs: input.node.timeoutMs + margin,
            idempotencyKey: `${input.task.tenant}:${input.task.id}:${input.node.id}:${input.attempt}`,
            spanName: 'troupe.planner.run-node',
            signal,
          });
        return (await retryWhileUnavailable(send, { budgetMs: input.node.timeoutMs, signal, reconnects })) as WorkerResult;
      }),
      judgeNode: fromPromise(async ({ input, signal }) => {
        const request: JudgeRequest = {
          taskId: input.task.id,
          tenant: input.task.tenant,
          nodeId: input.node.id,
          attempt: input.attempt,
          skill: input.node.skill,
          output: input.result.output,
          ...(input.node.outputSchema ? { outputSchema: input.node.outputSchema } : {}),
          context: typeof input.input === 'string' ? input.input : JSON.stringify(input.input),
          ...(input.result.toolCalls ? { toolCalls: input.result.toolCalls } : {}),
          model: input.result.model,
          maxAttempts: input.node.maxAttempts,
          ...(input.node.checks ? { checks: input.node.checks } : {}),
          // A cascade gate adds the consensus peers' answers, the confidence threshold and whether it may escalate.
          ...(input.gate ?? {}),
        };
        const judgeTimeoutMs = options.judgeTimeoutMs ?? 30_000;
        const send = () => requestJson(connection, subjects.judgeVerify, request, { timeoutMs: judgeTimeoutMs, spanName: 'troupe.planner.judge-node', signal });
        const verdict = (await retryWhileUnavailable(send, { budgetMs: judgeTimeoutMs, signal, reconnects })) as Verdict;
        try {
          options.onVerdict?.({ task: input.task, node: input.node, input: input.input, result: input.result, verdict });
        } catch (error) {
          logger.warn({ err: error }, 'verdict listener failed');
        }
        return verdict;
      }),
      askHuman: fromPromise(async ({ input, signal }) =>
        (await requestJson(connection, subjects.humanReview, input, {
          timeoutMs: options.humanReviewTimeoutMs ?? 300_000,
          spanName: 'troupe.planner.ask-human',
          signal,
        })) as HumanDecision,
      ),
    },
  });

  async function resolvePipeline(task: PlannedTask): Promise<{ pipeline: PipelineDefinition; planReport?: NodeReport }> {
    if (task.planner === 'llm' && !task.plan && !task.pipeline) {
      const known = await skills.known();
      const drafted = await draftPlan({ connection, task, knownSkills: [...known], ...(options.estimateCostUsd ? { estimateCostUsd: options.estimateCostUsd } : {}) });
      return { pipeline: drafted.pipeline, planReport: drafted.report };
    }
    const pipeline = task.plan ?? (task.pipeline ? pipelines.get(task.pipeline) : undefined);
    if (!pipeline) {
      throw new TroupeError(ErrorCode.UNKNOWN_PIPELINE, `no pipeline named "${task.pipeline}" (known: ${[...pipelines.keys()].join(', ') || 'none'})`);
    }
    checkPipeline(pipeline);
    const missing: string[] = [];
    for (const skill of new Set(pipeline.nodes.map((node) => node.skill))) if (!(await skills.has(skill))) missing.push(skill);
    if (missing.length > 0) {
      throw new TroupeError(ErrorCode.UNKNOWN_SKILL, `no worker serves skill(s) ${missing.map((skill) => `"${skill}"`).join(', ')}`, {
        details: { skills: missing },
      });
    }
    return { pipeline };
  }

  /**
   * A retry is sent only once the task's record says so. A replica that takes the task over then
   * resumes at that attempt (which the worker ledger replays) instead of re-running an older one
   * while the newer one was paid for too. Waits a bounded time: with the store down, it goes ahead.
   */
  async function persistedBeforeRetry(key: string, timeoutMs: number): Promise<void> {
    const writer = writers.get(key);
    if (!writer) return;
    await new Promise((resolve) => setImmediate(resolve)); // let the transition that spawned us mark the record changed
    await writer.flush(timeoutMs).catch((error: unknown) => {
      if (isSuperseded(error)) throw error;
    });
  }

  function startTask(task: PlannedTask, pipeline: PipelineDefinition, resumeFrom?: TaskRecord, planReport?: NodeReport): Promise<TaskResult> {
    const existing = running.get(`${task.tenant}.${task.id}`);
    if (existing) return existing;
    const record: TaskRecord = {
      task,
      pipelineName: pipeline.name,
      pipeline,
      ...(planReport ? { planReport } : {}),
      startedAt: resumeFrom?.startedAt ?? Date.now(),
      status: 'running',
      nodes: resumeFrom?.nodes ?? {},
      owner,
    };
    // Revision 0: the record must not exist yet, so two replicas never both start the same id.
    return launchTask(record, 0).result;
  }

  /**
   * Runs a task's planner machine in this replica, from scratch or from `record.nodes` (a resumed
   * task re-sends its in-flight nodes at the same attempt; finished nodes never run again). The
   * record is persisted after every transition, coalesced, each write conditional on `revision`.
   */
  function launchTask(record: TaskRecord, revision: number): TaskHandle {
    const { task } = record;
    const key = `${task.tenant}.${task.id}`;
    const existing = handles.get(key);
    if (existing) return existing;
    const pipeline = record.pipeline!;
    const resumed = Object.keys(record.nodes).length > 0;
    totals.tasks += 1;
    const taskLogger = logger.child({ taskId: task.id, tenant: task.tenant });
    const actor = createActor(machine, { input: { task, pipeline, startedAt: record.startedAt, ...(resumed ? { nodes: rewindInFlightNodes(record.nodes) } : {}) } });
    // Each event is a NATS message (and a socket write); skip them when nobody asked.
    const progress = task.progress ?? true;
    if (progress) actor.on('progress', ({ event }) => publish(task.tenant, event));
    const writer = new RecordWriter(store, record, { revision, logger: taskLogger });
    writers.set(key, writer);
    actor.subscribe((snapshot) => {
      record.nodes = snapshot.context.nodes;
      writer.changed();
    });
    if (progress) publish(task.tenant, { type: 'task.accepted', taskId: task.id, at: Date.now() });
    if (progress) publish(task.tenant, {
      type: 'plan.ready',
      taskId: task.id,
      at: Date.now(),
      nodes: pipeline.nodes.map((node) => ({ id: node.id, skill: node.skill, dependsOn: node.dependsOn })),
    });
    if (resumed) taskLogger.info({ finished: Object.values(record.nodes).filter((node) => node.status === 'succeeded').length }, 'resuming task mid-DAG');
    let interrupt!: (reason: unknown) => void;
    let interrupting = false;
    const interrupted = new Promise<never>((_, reject) => {
      interrupt = reject;
    });
    actor.start();
    writer.changed();
    const superseded = writer.lost.then((error) => Promise.reject(error));
    const result = Promise.race([toPromise(actor), superseded, interrupted])
      .then((output) => (record.planReport ? withPlanReport(output, record.planReport) : output))
      .then((output) => (options.referencePricing ? { ...output, savingsUsd: savingsUsd(output.nodes, options.referencePricing) } : output))
      .then(async (output) => {
        record.status = output.status === 'completed' ? 'completed' : 'failed';
        record.result = output;
        await writer.flush();
        totals[record.status] += 1;
        totals.costUsd += output.costUsd;
        taskLogger.info({ status: output.status, costUsd: output.costUsd, latencyMs: output.latencyMs }, 'task finished');
        return output;
      })
      .finally(() => {
        actor.stop();
        if (!interrupting) writer.close();
        writers.delete(key);
        handles.delete(key);
        running.delete(key);
      });
    result.catch((error: unknown) => taskLogger.info({ code: getTroupeErrorFromUnknown(error).code }, `task stopped in this replica: ${getTroupeErrorFromUnknown(error).message}`));
    const handle: TaskHandle = {
      result,
      async interrupt() {
        // Settle first: a stopped actor must not surface as the task's outcome.
        interrupting = true;
        interrupt(new TroupeError(ErrorCode.CANCELLED, 'the planner replica is shutting down; the task continues on another replica', { retryable: true }));
        actor.stop();
        await writer.flush(2_000).catch((error: unknown) => taskLogger.warn({ err: error }, 'could not store the latest state of an interrupted task'));
        writer.close();
      },
    };
    handles.set(key, handle);
    running.set(key, result);
    return handle;
  }

  type Admission =
    | { kind: 'new'; task: PlannedTask; pipeline: PipelineDefinition; planReport?: NodeReport }
    | { kind: 'duplicate'; record: TaskRecord };

  /** Tenant from the subject, id assigned, idempotency by id, pipeline resolved and checked. */
  async function admit(raw: TaskSubmission, subject: string): Promise<Admission> {
    const tenant = tenantOfSubject(subject) ?? raw.tenant;
    if (raw.tenant !== 'default' && raw.tenant !== tenant) {
      throw new TroupeError(ErrorCode.PERMISSION_DENIED, `a task for tenant "${raw.tenant}" cannot be sent on tenant "${tenant}"'s subject`);
    }
    const task: PlannedTask = { ...raw, tenant, id: raw.id ?? randomUUID() };
    const previous = raw.id ? await store.get(tenant, task.id) : undefined;
    if (previous) return { kind: 'duplicate', record: previous };
    const resolved = await resolvePipeline(task);
    await options.onTaskStart?.(task);
    return { kind: 'new', task, ...resolved };
  }

  async function resultOf(record: TaskRecord, signal?: AbortSignal): Promise<TaskResult> {
    if (record.result) return record.result;
    const { tenant, id } = record.task;
    const inFlight = running.get(`${tenant}.${id}`);
    if (inFlight) return inFlight;
    if (!options.queue || !signal) throw new TroupeError(ErrorCode.NOT_FOUND, `task "${id}" is not running in this planner`);
    // A retried `tasks.run` whose planner died: queue it (a no-op if it is queued already), so a
    // replica resumes it from its stored state, and wait for the shared record to be final.
    if (record.status === 'running' && record.pipeline) {
      await options.queue.enqueue({ task: record.task, pipeline: record.pipeline, ...(record.planReport ? { planReport: record.planReport } : {}) });
    }
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (signal.aborted) throw new TroupeError(ErrorCode.TIMEOUT, `task "${id}" did not finish before the request's deadline; ask again with the same id`);
      const latest = await store.get(tenant, id);
      if (latest?.result) return latest.result;
    }
  }

  const service = await createTroupeService({
    connection,
    name: 'troupe-planner',
    version: VERSION,
    description: 'Plans tasks into DAGs, dispatches nodes to workers and results to the judge.',
    logger,
    ...(options.maxPayloadBytes ? { maxPayloadBytes: options.maxPayloadBytes } : {}),
    stats: () => ({ ...totals, running: running.size, pipelines: [...pipelines.keys()] }),
    endpoints: [
      defineEndpoint({
        name: 'run',
        subject: subjects.anyTenant.taskRun,
        queue: QueueGroup.planner,
        schema: TaskSubmission,
        invalidCode: ErrorCode.INVALID_TASK,
        spanName: 'troupe.planner.run',
        handle: async (raw, context) => {
          const admitted = await admit(raw, context.subject);
          if (admitted.kind === 'duplicate') return resultOf(admitted.record, context.signal);
          return startTask({ ...admitted.task, progress: raw.progress ?? false }, admitted.pipeline, undefined, admitted.planReport);
        },
      }),
      defineEndpoint({
        name: 'submit',
        subject: subjects.anyTenant.taskSubmit,
        queue: QueueGroup.planner,
        schema: TaskSubmission,
        invalidCode: ErrorCode.INVALID_TASK,
        spanName: 'troupe.planner.submit',
        handle: async (raw, context) => {
          const admitted = await admit(raw, context.subject);
          const task = admitted.kind === 'duplicate' ? admitted.record.task : admitted.task;
          let duplicate = admitted.kind === 'duplicate';
          if (admitted.kind === 'new' && options.queue) {
            // Replied only once JetStream has stored it: from here on no process death loses the task.
            ({ duplicate } = await options.queue.enqueue({ task, pipeline: admitted.pipeline, ...(admitted.planReport ? { planReport: admitted.planReport } : {}) }));
            // Lets `tasks.result` say "accepted" before a replica picks the task up; never overwrites progress.
            const queued: TaskRecord = { task, pipelineName: admitted.pipeline.name, startedAt: Date.now(), status: 'queued', nodes: {} };
            await store.put(queued, { expectedRevision: 0 }).catch(() => undefined);
          } else if (admitted.kind === 'new') {
            startTask(task, admitted.pipeline, undefined, admitted.planReport).catch((error: unknown) => logger.error({ err: error, taskId: task.id }, 'task crashed'));
          }
          return { taskId: task.id, tenant: task.tenant, eventsSubject: subjects.taskEvents(task.tenant, task.id), duplicate };
        },
      }),
      defineEndpoint({
        name: 'result',
        subject: subjects.anyTenant.taskResult,
        queue: QueueGroup.planner,
        schema: TaskQuery,
        spanName: 'troupe.planner.result',
        handle: async (query, context) => {
          const tenant = tenantOfSubject(context.subject) ?? query.tenant;
          const record = await store.get(tenant, query.taskId);
          if (!record) throw new TroupeError(ErrorCode.NOT_FOUND, `no task "${query.taskId}" for tenant "${tenant}"`);
          if (record.result || query.waitMs === 0) return record.result ?? pendingResult(record);
          const inFlight = running.get(`${tenant}.${query.taskId}`);
          if (inFlight) {
            return Promise.race([inFlight, new Promise<TaskResult>((resolve) => setTimeout(() => resolve(pendingResult(record)), query.waitMs))]).catch(() => pendingResult(record));
          }
          // Queued, or running on another replica: watch the shared store until it finishes.
          const until = Date.now() + query.waitMs;
          let latest = record;
          while (!latest.result && Date.now() < until) {
            await new Promise((resolve) => setTimeout(resolve, Math.min(100, Math.max(0, until - Date.now()))));
            latest = (await store.get(tenant, query.taskId)) ?? latest;
          }
          return latest.result ?? pendingResult(latest);
        },
      }),
    ],
  });

  const queue = options.queue;
  const runner: QueuedTaskRunner | undefined = queue
    ? runQueuedTasks({
        queue,
        store,
        owner,
        concurrency: options.concurrency ?? 64,
        logger,
        resolvePipeline,
        launch: launchTask,
        localTask: (tenant, taskId) => handles.get(`${tenant}.${taskId}`),
      })
    : undefined;

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 10_000) => {
    stopping ??= (async () => {
      await Promise.all([service.stop(graceMs), runner?.stop(graceMs)]);
      if (!queue) return;
      // `tasks.run` tasks still running past the grace: store them and queue them, so another
      // replica finishes them from where they are (their callers can fetch the result).
      const direct = [...handles.entries()];
      await Promise.all(
        direct.map(async ([key, handle]) => {
          await handle.interrupt();
          const record = await store.get(key.slice(0, key.indexOf('.')), key.slice(key.indexOf('.') + 1)).catch(() => undefined);
          if (!record?.pipeline || record.status !== 'running') return;
          await queue
            .enqueue({ task: record.task, pipeline: record.pipeline, ...(record.planReport ? { planReport: record.planReport } : {}) })
            .catch((error: unknown) => logger.error({ err: error, taskId: record.task.id }, 'could not hand an unfinished task over'));
        }),
      );
    })();
    return stopping;
  };
  return {
    id: service.id,
    get inFlight() {
      return service.inFlight + (runner?.inFlight ?? 0);
    },
    stop,
    [Symbol.asyncDispose]: () => stop(),
  };
}

/** Adds the LLM planning calls to the result, so their tokens and cost are never hidden. */
function withPlanReport(result: TaskResult, report: NodeReport): TaskResult {
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

function pendingResult(record: TaskRecord): TaskResult {
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

export { TaskResult };
