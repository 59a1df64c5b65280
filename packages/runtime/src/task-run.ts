import { createActor, type Actor } from 'xstate';
import { ErrorCode, TroupeError, getTroupeErrorFromUnknown, type ProgressEvent, type TaskResult } from '@troupe/protocol';
import type { plannerMachine } from '@troupe/planner';
import type { TaskRecord, TaskStore } from '@troupe/store-contract';
import type { Logger } from '@troupe/transport';
import type { TaskHandle } from './queued-task-runner.js';
import { RecordWriter } from './record-writer.js';
import { rewindInFlightNodes } from './resume-nodes.js';

/** `<tenant>.<taskId>`: the one key a running task is known by in this replica. */
export type TaskKey = string & { readonly __taskKey: unique symbol };

/** The key of a task; tenant and task ids are subject-safe tokens, so the dot is unambiguous. */
export const taskKeyOf = (tenant: string, taskId: string): TaskKey => `${tenant}.${taskId}` as TaskKey;

/** What every TaskRun of one planner host shares. */
export interface TaskRunContext {
  /** The planner machine with the host's actors provided. */
  machine: typeof plannerMachine;
  store: TaskStore;
  logger: Logger;
  publish(tenant: string, event: ProgressEvent): void;
  /** Adds what the host knows beyond the machine (LLM planning cost, savings) to a final result. */
  finish(output: TaskResult, record: TaskRecord): TaskResult;
  /** Told once the final record is stored. */
  onFinished(record: TaskRecord, result: TaskResult): void;
  /** Told when the run leaves this replica, however it ended. */
  onClosed(run: TaskRun): void;
}

/**
 * One task running in this replica. It owns the planner actor, the record writer (every transition
 * persisted, coalesced, conditional on the revision), progress publishing (only when asked for),
 * and how the run ends: completion, supersession by another replica, or hand-over on shutdown.
 * Supersession and hand-over are sent to the machine as `task.cancel`, which stops its children
 * (and aborts their requests); the deadline is the machine's own `after` transition.
 */
export class TaskRun implements TaskHandle {
  readonly key: TaskKey;
  readonly record: TaskRecord;
  /** The final result, once stored; rejects if another replica took the task over or it was handed over. */
  readonly result: Promise<TaskResult>;
  readonly #context: TaskRunContext;
  readonly #actor: Actor<typeof plannerMachine>;
  readonly #writer: RecordWriter;
  readonly #logger: Logger;
  /** Set when the run ends for a reason other than the machine's own output. */
  #stopped: TroupeError | undefined;
  #publishing: boolean;
  #settle!: { resolve(result: TaskResult): void; reject(error: unknown): void };
  #snapshotWaiters = new Set<() => void>();
  #ended = false;

  constructor(record: TaskRecord, revision: number, context: TaskRunContext) {
    const { task } = record;
    this.key = taskKeyOf(task.tenant, task.id);
    this.record = record;
    this.#context = context;
    this.#logger = context.logger.child({ taskId: task.id, tenant: task.tenant });
    this.#writer = new RecordWriter(context.store, record, { revision, logger: this.#logger });
    // Each event is a NATS message (and a socket write); skip them when nobody asked.
    this.#publishing = task.progress ?? true;
    const resumed = Object.keys(record.nodes).length > 0;
    const input = { task, pipeline: record.pipeline!, startedAt: record.startedAt, ...(resumed ? { nodes: rewindInFlightNodes(record.nodes) } : {}) };
    this.#actor = createActor(context.machine, { input });
    this.result = new Promise<TaskResult>((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
    this.result.catch((error: unknown) => {
      const { code, message } = getTroupeErrorFromUnknown(error);
      this.#logger.info({ code }, `task stopped in this replica: ${message}`);
    });
    if (resumed)
      this.#logger.info({ finished: Object.values(record.nodes).filter((node) => node.status === 'succeeded').length }, 'resuming task mid-DAG');
  }

  /** Starts the machine; the first write claims (or re-claims) the record at the given revision. */
  start(): this {
    const { task, pipeline } = this.record;
    if (this.#publishing) {
      this.#actor.on('progress', ({ event }) => {
        if (this.#publishing) this.#context.publish(task.tenant, event);
      });
      this.#context.publish(task.tenant, { type: 'task.accepted', taskId: task.id, at: Date.now() });
      const nodes = pipeline!.nodes.map((node) => ({ id: node.id, skill: node.skill, dependsOn: node.dependsOn }));
      this.#context.publish(task.tenant, { type: 'plan.ready', taskId: task.id, at: Date.now(), nodes });
    }
    this.#actor.subscribe({
      next: (snapshot) => {
        this.record.nodes = snapshot.context.nodes;
        this.#writer.changed();
        for (const waiter of this.#snapshotWaiters) waiter();
        if (snapshot.status === 'done') void this.#done(snapshot.output as TaskResult);
      },
      error: (error) => this.#end(getTroupeErrorFromUnknown(error)),
    });
    void this.#writer.lost.then((error) => this.#stop(getTroupeErrorFromUnknown(error)));
    this.#actor.start();
    this.#writer.changed(); // the claim is written even before the first transition
    return this;
  }

  /**
   * Resolves once the record stored shows `nodeId` at `attempt` or later. A retry is sent only
   * then: a replica that takes the task over resumes at that attempt (which the worker ledger
   * replays) instead of re-running an older one while the newer one was paid for too. Bounded by
   * `timeoutMs`: with the store down, the retry goes ahead.
   */
  async persisted(nodeId: string, attempt: number, timeoutMs: number): Promise<void> {
    // The child starts inside the transition that scheduled it, before subscribers see that transition.
    const recorded = () => (this.record.nodes[nodeId]?.attempt ?? 0) >= attempt;
    if (!recorded()) {
      await new Promise<void>((resolve) => {
        const waiter = () => {
          if (!recorded() && this.#stopped === undefined) return;
          this.#snapshotWaiters.delete(waiter);
          resolve();
        };
        this.#snapshotWaiters.add(waiter);
      });
    }
    await this.#writer.flush(timeoutMs).catch((error: unknown) => {
      if (this.#writer.isLost) throw error;
    });
  }

  /** Cancels the task for its caller: it ends as failed with CANCELLED, and that is stored. */
  cancel(reason: string): void {
    this.#actor.send({ type: 'task.cancel', reason });
  }

  /**
   * Hands the task over (shutdown): stores its latest state, stops here without storing an outcome
   * or telling subscribers it failed; the caller queues it for another replica.
   */
  async interrupt(): Promise<void> {
    await this.#writer
      .flush(2_000)
      .catch((error: unknown) => this.#logger.warn({ err: error }, 'could not store the latest state of a handed-over task'));
    this.#stop(
      new TroupeError(ErrorCode.CANCELLED, 'the planner replica is shutting down; the task continues on another replica', { retryable: true }),
    );
  }

  /** Ends the run here for a reason that is not the task's outcome (superseded, handed over). */
  #stop(reason: TroupeError): void {
    if (this.#stopped) return;
    this.#stopped = reason;
    this.#publishing = false;
    this.#writer.close();
    for (const waiter of this.#snapshotWaiters) waiter();
    if (this.#actor.getSnapshot().status === 'active') this.#actor.send({ type: 'task.cancel', reason: reason.message });
    this.#end(reason);
  }

  async #done(output: TaskResult): Promise<void> {
    if (this.#stopped) return this.#end(this.#stopped);
    try {
      const result = this.#context.finish(output, this.record);
      this.record.status = result.status === 'completed' ? 'completed' : 'failed';
      this.record.result = result;
      await this.#writer.flush();
      this.#context.onFinished(this.record, result);
      this.#logger.info({ status: result.status, costUsd: result.costUsd, latencyMs: result.latencyMs }, 'task finished');
      this.#end(undefined, result);
    } catch (error) {
      this.#end(getTroupeErrorFromUnknown(error));
    }
  }

  #end(error: TroupeError | undefined, result?: TaskResult): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#actor.stop();
    this.#writer.close();
    this.#snapshotWaiters.clear();
    if (result) this.#settle.resolve(result);
    else this.#settle.reject(error);
    this.#context.onClosed(this);
  }
}
