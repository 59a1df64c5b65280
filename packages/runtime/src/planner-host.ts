import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/nats-core';
import { PipelineDefinition, subjects, type NodeReport, type PipelineNode, type TaskResult, type Verdict, type WorkerResult } from '@troupe/protocol';
import type { PlannedTask } from '@troupe/planner';
import { createTroupeService, encodeJson, silentLogger, type IdempotencyStore, type Logger, type TroupeService } from '@troupe/transport';
import { savingsUsd } from '@troupe/budget';
import type { Pricing } from '@troupe/models';
import type { TaskQueue, TaskRecord, TaskStore } from '@troupe/store-contract';
import { providePlannerActors } from './planner-actors.js';
import { plannerEndpoints } from './planner-endpoints.js';
import { runQueuedTasks } from './queued-task-runner.js';
import { watchReconnects } from './request-recovery.js';
import { SkillDirectory } from './skill-directory.js';
import { TaskAdmission, type TaskAdmissionOptions } from './task-admission.js';
import { withPlanReport } from './task-results.js';
import { TaskRuns } from './task-runs.js';
import { createMemoryTaskStore } from './task-store.js';

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
  /** A skill's default cascade for nodes that pin neither a model nor a cascade (e.g. `syncRouter().cascadeFor`). */
  cascadeFor?: TaskAdmissionOptions['cascadeFor'];
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
  /** How long after start a skill no worker announced yet is waited for, up to each request's deadline (default 5 s). */
  discoveryMs?: number;
  /**
   * Where `tasks.run` replies are remembered by `Troupe-Idempotency-Key`. Default: per process. Give a
   * shared one (`@troupe/kv` `createKvIdempotency`) so a retry against another replica gets the same
   * reply without the task running twice.
   */
  idempotency?: IdempotencyStore;
}

const VERSION = '0.1.0';

/**
 * Hosts the planner on `troupe.v1.*.tasks.{run,submit,result}`: admits tasks (pipeline resolved
 * and checked), runs each as a TaskRun (the planner machine with NATS-backed child actors, its
 * record and progress), replies with the TaskResult, and hands unfinished tasks over on shutdown.
 * Wiring only: the parts live in planner-actors, task-admission, task-run(s) and planner-endpoints.
 */
export async function hostPlanner(options: PlannerHostOptions): Promise<TroupeService> {
  const { connection, queue } = options;
  const logger = (options.logger ?? silentLogger).child({ actor: 'planner' });
  const pipelines = new Map(options.pipelines.map((pipeline) => [pipeline.name, PipelineDefinition.parse(pipeline)]));
  const store = options.store ?? createMemoryTaskStore();
  const skills = new SkillDirectory(connection);
  /** This replica's identity in the records it owns; a new one per process, so a restart never mistakes an old write for its own. */
  const owner = randomUUID();
  const totals = { tasks: 0, completed: 0, failed: 0, costUsd: 0 };
  const host = { connection, options, logger, skills, reconnects: watchReconnects(connection), runs: undefined as unknown as TaskRuns };
  const runs = (host.runs = new TaskRuns({
    machine: providePlannerActors(host),
    store,
    logger,
    publish: (tenant, event) => connection.publish(subjects.taskEvents(tenant, event.taskId), encodeJson(event)),
    finish: (output, record) => finishResult(output, record, options.referencePricing),
    onFinished: (record, result) => {
      totals[result.status === 'completed' ? 'completed' : 'failed'] += 1;
      totals.costUsd += result.costUsd;
    },
  }));
  const launch = (record: TaskRecord, revision: number) => {
    if (!runs.get(record.task.tenant, record.task.id)) totals.tasks += 1;
    return runs.launch(record, revision);
  };
  const admission = new TaskAdmission({
    connection,
    pipelines,
    skills,
    store,
    ...(options.estimateCostUsd ? { estimateCostUsd: options.estimateCostUsd } : {}),
    ...(options.onTaskStart ? { onTaskStart: options.onTaskStart } : {}),
    ...(options.discoveryMs !== undefined ? { discoveryMs: options.discoveryMs } : {}),
    ...(options.cascadeFor ? { cascadeFor: options.cascadeFor } : {}),
  });
  // Revision 0: the record must not exist yet, so two replicas never both start the same id.
  const start = (task: PlannedTask, pipeline: PipelineDefinition, planReport?: NodeReport) =>
    (runs.get(task.tenant, task.id) ?? launch(newRecord(task, pipeline, owner, planReport), 0)).result;

  const service = await createTroupeService({
    connection,
    name: 'troupe-planner',
    version: VERSION,
    description: 'Plans tasks into DAGs, dispatches nodes to workers and results to the judge.',
    logger,
    ...(options.maxPayloadBytes ? { maxPayloadBytes: options.maxPayloadBytes } : {}),
    ...(options.idempotency ? { idempotency: options.idempotency } : {}),
    stats: () => ({ ...totals, running: runs.size, pipelines: [...pipelines.keys()] }),
    endpoints: plannerEndpoints({ admission, runs, store, queue, logger, start }),
  });
  const runner = queue
    ? runQueuedTasks({
        queue,
        store,
        owner,
        concurrency: options.concurrency ?? 64,
        logger,
        resolvePipeline: (task) => admission.resolvePipeline(task),
        launch,
        localTask: (tenant, taskId) => runs.get(tenant, taskId),
      })
    : undefined;

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 10_000) => {
    stopping ??= (async () => {
      await Promise.all([service.stop(graceMs), runner?.stop(graceMs)]);
      if (queue) await handOverDirectRuns(runs, store, queue, logger);
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

/** A new task's first record. */
function newRecord(task: PlannedTask, pipeline: PipelineDefinition, owner: string, planReport?: NodeReport): TaskRecord {
  return {
    task,
    pipelineName: pipeline.name,
    pipeline,
    ...(planReport ? { planReport } : {}),
    startedAt: Date.now(),
    status: 'running',
    nodes: {},
    owner,
  };
}

/** The machine's result plus what only the host knows: the LLM planning calls and the savings. */
function finishResult(output: TaskResult, record: TaskRecord, referencePricing: Pricing | undefined): TaskResult {
  const withPlan = record.planReport ? withPlanReport(output, record.planReport) : output;
  return referencePricing ? { ...withPlan, savingsUsd: savingsUsd(withPlan.nodes, referencePricing) } : withPlan;
}

/**
 * `tasks.run` tasks still running past the grace: store them and queue them, so another replica
 * finishes them from where they are (their callers can fetch the result).
 */
async function handOverDirectRuns(runs: TaskRuns, store: TaskStore, queue: TaskQueue, logger: Logger): Promise<void> {
  await Promise.all(
    runs.all().map(async (run) => {
      await run.interrupt();
      const { tenant, id } = run.record.task;
      const record = await store.get(tenant, id).catch(() => undefined);
      if (!record?.pipeline || record.status !== 'running') return;
      await queue
        .enqueue({ task: record.task, pipeline: record.pipeline, ...(record.planReport ? { planReport: record.planReport } : {}) })
        .catch((error: unknown) => logger.error({ err: error, taskId: record.task.id }, 'could not hand an unfinished task over'));
    }),
  );
}

export { TaskResult } from '@troupe/protocol';
