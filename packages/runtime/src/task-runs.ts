import type { TaskRecord } from '@troupe/store-contract';
import { TaskRun, taskKeyOf, type TaskKey, type TaskRunContext } from './task-run.js';

/** The tasks running in this replica, by task key: one registry instead of maps kept in step. */
export class TaskRuns {
  readonly #runs = new Map<TaskKey, TaskRun>();
  readonly #context: TaskRunContext;

  constructor(context: Omit<TaskRunContext, 'onClosed'>) {
    this.#context = { ...context, onClosed: (run) => this.#runs.delete(run.key) };
  }

  get size(): number {
    return this.#runs.size;
  }

  get(tenant: string, taskId: string): TaskRun | undefined {
    return this.#runs.get(taskKeyOf(tenant, taskId));
  }

  all(): TaskRun[] {
    return [...this.#runs.values()];
  }

  /** Starts the task here unless it already runs here (then that run is returned). */
  launch(record: TaskRecord, revision: number): TaskRun {
    const key = taskKeyOf(record.task.tenant, record.task.id);
    const existing = this.#runs.get(key);
    if (existing) return existing;
    const run = new TaskRun(record, revision, this.#context);
    this.#runs.set(key, run);
    return run.start();
  }
}
