import type { ErrorReply, NodeReport, PipelineDefinition, TroupeError } from '@troupe/protocol';
import type { PlannedTask } from './task-record.js';

/**
 * What travels through the durable task queue: the task with its id and tenant assigned, and the
 * pipeline resolved at submission (so the consuming replica runs what was accepted, and an
 * LLM-drafted plan is never drafted — and paid for — twice). Without `pipeline`, the consumer
 * resolves `task.pipeline` by name.
 */
export interface QueuedTask {
  task: PlannedTask;
  pipeline?: PipelineDefinition;
  planReport?: NodeReport;
}

/** One delivery of a queued task to a planner replica. */
export interface TaskDelivery {
  /** The queued task, or undefined when the message is not a valid QueuedTask (see `invalid`). */
  readonly queued: QueuedTask | undefined;
  readonly invalid: TroupeError | undefined;
  /** 1 on first delivery; higher after a replica died, stalled or gave the task back. */
  readonly deliveryCount: number;
  /** Done: the task's final record is stored, remove it from the queue. */
  ack(): Promise<void>;
  /** Give the task back so a replica (maybe this one) gets it again after `delayMs`. */
  release(delayMs?: number): void;
  /** Stop renewing the lease without acking: another replica owns the task now. */
  abandon(): void;
  /** Park the task in the dead-letter stream with the reason, and remove it from the queue. */
  deadLetter(reason: ErrorReply): Promise<void>;
}

export interface TaskConsumer {
  /** Stops pulling new tasks; deliveries already handed out stay with their handlers. Idempotent. */
  stop(): Promise<void>;
}

/**
 * A durable, at-least-once queue of tasks shared by planner replicas. While a handler runs, the
 * queue keeps renewing the delivery's lease; if the replica dies, the lease runs out and another
 * replica gets the task again.
 */
export interface TaskQueue {
  /** Deliveries after which a task goes to the dead-letter stream instead of running again. */
  readonly maxDeliveries: number;
  /** Stores the task durably; `duplicate` when a task with the same tenant and id was already queued. */
  enqueue(queued: QueuedTask): Promise<{ duplicate: boolean }>;
  /** Hands deliveries to `handle`, at most `concurrency` at a time (the next pull waits for a free slot). */
  consume(handle: (delivery: TaskDelivery) => Promise<void>, options: { concurrency: number }): TaskConsumer;
}
