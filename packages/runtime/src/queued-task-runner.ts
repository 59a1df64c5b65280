import { buildTaskResult, initialNodeState, type PlannedTask } from '@troupe/planner';
import { ErrorCode, getTroupeErrorFromUnknown, type ErrorReply, type NodeReport, type PipelineDefinition, type TaskResult } from '@troupe/protocol';
import type { Logger } from '@troupe/transport';
import type { TaskDelivery, TaskQueue } from '@troupe/store-contract';
import { isSuperseded, type TaskRecord, type TaskStore } from '@troupe/store-contract';

/** A task running in this planner replica. */
export interface TaskHandle {
  /** The final result, once stored; rejects if another replica took the task over or it was interrupted. */
  readonly result: Promise<TaskResult>;
  /** Stops the task here and stores its latest state, so another replica can resume it. */
  interrupt(): Promise<void>;
}

export interface QueuedTaskRunnerOptions {
  queue: TaskQueue;
  store: TaskStore;
  /** This replica's id, written into every record it owns. */
  owner: string;
  /** Tasks this replica runs at once. */
  concurrency: number;
  logger: Logger;
  /** Resolves the pipeline of a queued task that carries none (a plain name from another producer). */
  resolvePipeline(task: PlannedTask): Promise<{ pipeline: PipelineDefinition; planReport?: NodeReport }>;
  /** Starts the claimed task — from scratch, or from its persisted nodes — writing at `revision`. */
  launch(record: TaskRecord, revision: number): TaskHandle;
  /** The task if this replica is already running it. */
  localTask(tenant: string, taskId: string): TaskHandle | undefined;
}

export interface QueuedTaskRunner {
  readonly inFlight: number;
  /** Stops pulling, lets running tasks finish for `graceMs`, then stores and gives back the rest. */
  stop(graceMs: number): Promise<void>;
}

/**
 * Runs tasks from the durable queue: claims each one in the store (a conditional write, so two
 * replicas never both own it), resumes it from its persisted nodes when a previous owner died,
 * acks once the final record is stored, and dead-letters tasks that cannot be run.
 */
export function runQueuedTasks(options: QueuedTaskRunnerOptions): QueuedTaskRunner {
  const { queue, store, logger } = options;
  const active = new Map<string, TaskHandle>();
  const handlers = new Set<Promise<void>>();
  let stopping = false;

  async function handle(delivery: TaskDelivery): Promise<void> {
    const queued = delivery.queued;
    if (!queued) return delivery.deadLetter((delivery.invalid ?? getTroupeErrorFromUnknown('unreadable message')).toReply());
    const { task } = queued;
    // Already running here (our lease renewal lapsed, or a direct `tasks.run` of the same id): follow it.
    const local = options.localTask(task.tenant, task.id);
    if (local) return follow(delivery, local);
    if (delivery.deliveryCount > queue.maxDeliveries) {
      return deadLetter(delivery, task, {
        code: ErrorCode.INTERNAL,
        message: `the task was delivered ${delivery.deliveryCount - 1} times without finishing: planner replicas died, stalled or could not start it`,
        retryable: false,
      });
    }
    let claimed: { record: TaskRecord; revision: number } | 'finished';
    try {
      claimed = await claim(task, queued.pipeline, queued.planReport);
    } catch (error) {
      const reply = getTroupeErrorFromUnknown(error).toReply();
      if (delivery.deliveryCount >= queue.maxDeliveries) return deadLetter(delivery, task, reply);
      logger.warn({ taskId: task.id, code: reply.code, deliveries: delivery.deliveryCount }, `could not start a queued task: ${reply.message}`);
      return delivery.release(retryDelayMs(delivery.deliveryCount));
    }
    if (claimed === 'finished') return delivery.ack();
    const key = `${task.tenant}.${task.id}`;
    const running = options.launch(claimed.record, claimed.revision);
    active.set(key, running);
    try {
      await follow(delivery, running);
    } finally {
      active.delete(key);
    }
  }

  /** Acks once the task's final record is stored; a task taken over elsewhere is left to its new owner. */
  async function follow(delivery: TaskDelivery, running: TaskHandle): Promise<void> {
    try {
      await running.result;
    } catch (error) {
      if (isSuperseded(error)) return delivery.abandon();
      return delivery.release(stopping ? 0 : retryDelayMs(delivery.deliveryCount));
    }
    await delivery.ack();
  }

  /** Takes ownership in the store; a record written meanwhile (the submitter's, a rival's) is re-read. */
  async function claim(task: PlannedTask, pipeline: PipelineDefinition | undefined, planReport: NodeReport | undefined) {
    for (let tries = 0; ; tries += 1) {
      const loaded = await store.load(task.tenant, task.id);
      const previous = loaded?.record;
      if (previous?.status === 'completed' || previous?.status === 'failed') return 'finished' as const;
      const resolved = previous?.pipeline
        ? { pipeline: previous.pipeline, ...(previous.planReport ? { planReport: previous.planReport } : {}) }
        : pipeline
          ? { pipeline, ...(planReport ? { planReport } : {}) }
          : await options.resolvePipeline(task);
      const resuming = previous?.status === 'running';
      const record: TaskRecord = {
        task: previous?.task ?? task,
        pipelineName: resolved.pipeline.name,
        pipeline: resolved.pipeline,
        ...(resolved.planReport ? { planReport: resolved.planReport } : {}),
        startedAt: resuming ? previous.startedAt : Date.now(),
        status: 'running',
        nodes: resuming ? previous.nodes : {},
        owner: options.owner,
        updatedAt: Date.now(),
      };
      try {
        return { record, revision: await store.put(record, { expectedRevision: loaded?.revision ?? 0 }) };
      } catch (error) {
        if (!isSuperseded(error) || tries >= 3) throw error;
      }
    }
  }

  /** Parks the task and marks its record failed with the reason, so `tasks.result` tells the client. */
  async function deadLetter(delivery: TaskDelivery, task: PlannedTask, reason: ErrorReply): Promise<void> {
    try {
      await delivery.deadLetter(reason);
    } catch (error) {
      logger.error({ err: error, taskId: task.id }, 'could not dead-letter a task; it will be delivered again');
      return delivery.release(retryDelayMs(delivery.deliveryCount));
    }
    try {
      const previous = (await store.load(task.tenant, task.id))?.record;
      const pipeline = previous?.pipeline;
      const startedAt = previous?.startedAt ?? Date.now();
      const result: TaskResult = pipeline
        ? buildTaskResult({ task, pipeline, startedAt, failure: reason, nodes: Object.fromEntries(pipeline.nodes.map((node) => [node.id, previous.nodes[node.id] ?? initialNodeState()])) })
        : { taskId: task.id, tenant: task.tenant, status: 'failed', nodes: [], usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 }, costUsd: 0, latencyMs: 0, error: reason };
      await store.put({
        task,
        pipelineName: pipeline?.name ?? task.pipeline ?? 'unknown',
        ...(pipeline ? { pipeline } : {}),
        startedAt,
        status: 'failed',
        nodes: previous?.nodes ?? {},
        result,
        owner: options.owner,
        updatedAt: Date.now(),
      });
    } catch (error) {
      logger.warn({ err: error, taskId: task.id }, 'dead-lettered a task but could not mark its record failed');
    }
  }

  const consumer = queue.consume(
    (delivery) => {
      const handling = handle(delivery);
      handlers.add(handling);
      return handling.finally(() => handlers.delete(handling));
    },
    { concurrency: options.concurrency },
  );

  return {
    get inFlight() {
      return active.size;
    },
    async stop(graceMs) {
      if (stopping) return;
      stopping = true;
      await consumer.stop();
      const deadline = Date.now() + graceMs;
      while (active.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      if (active.size > 0) logger.info({ tasks: active.size }, 'giving unfinished tasks back to the queue');
      await Promise.all([...active.values()].map((running) => running.interrupt()));
      await Promise.race([Promise.allSettled([...handlers]), new Promise((resolve) => setTimeout(resolve, 2_000))]);
    },
  };
}

/** Backoff for a task that could not start: 0.5 s, 1 s, 2 s … up to 30 s. */
function retryDelayMs(deliveryCount: number): number {
  return Math.min(30_000, 500 * 2 ** Math.max(0, deliveryCount - 1));
}
