import { ErrorCode, TroupeError, type NodeReport, type PipelineDefinition, type TaskResult } from '@troupe/protocol';
import type { NodeState, PlannedTask } from '@troupe/planner';

/** What the planner persists per task: plain records, not actor snapshots, so any replica can resume. */
export interface TaskRecord {
  task: PlannedTask;
  pipelineName: string;
  /** The resolved pipeline, so a replica with other config (or an LLM-drafted plan) resumes the very same DAG. */
  pipeline?: PipelineDefinition;
  /** The LLM planning calls, kept so a resumed task still reports their cost. */
  planReport?: NodeReport;
  startedAt: number;
  /** `queued`: accepted into the durable queue, no planner has started it yet. */
  status: 'queued' | 'running' | 'completed' | 'failed';
  nodes: Record<string, NodeState>;
  result?: TaskResult;
  /** The planner replica that last wrote the record. */
  owner?: string;
  updatedAt?: number;
}

/** A record with the store revision it was read at; writes can be conditional on that revision. */
export interface VersionedTaskRecord {
  record: TaskRecord;
  revision: number;
}

export interface PutOptions {
  /**
   * Write only if the stored record is still at this revision (`0`: only if there is none). A
   * planner replica that took the task over has moved the revision on, so a stale owner's write
   * fails with a superseded error (see `isSuperseded`) instead of overwriting newer progress.
   */
  expectedRevision?: number;
}

export interface TaskStore {
  get(tenant: string, taskId: string): Promise<TaskRecord | undefined>;
  /** The record and its revision, for a replica about to take the task over. */
  load(tenant: string, taskId: string): Promise<VersionedTaskRecord | undefined>;
  /** Stores the record and resolves with its new revision. */
  put(record: TaskRecord, options?: PutOptions): Promise<number>;
}

/** The error a conditional `put` rejects with when another replica has written the record since. */
export function supersededError(tenant: string, taskId: string, cause?: unknown): TroupeError {
  return new TroupeError(ErrorCode.CANCELLED, `task "${taskId}" of tenant "${tenant}" was taken over by another planner replica`, {
    retryable: false,
    details: { reason: 'superseded' },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Whether an error says that another replica owns the task now. */
export function isSuperseded(error: unknown): boolean {
  return error instanceof TroupeError && error.code === ErrorCode.CANCELLED && error.details?.reason === 'superseded';
}

/** Keeps the most recent `capacity` tasks in memory; for embedding and tests. */
export function createMemoryTaskStore(capacity = 10_000): TaskStore {
  const records = new Map<string, VersionedTaskRecord>();
  let revisions = 0;
  const keyOf = (tenant: string, taskId: string) => `${tenant}.${taskId}`;
  return {
    async get(tenant, taskId) {
      return records.get(keyOf(tenant, taskId))?.record;
    },
    async load(tenant, taskId) {
      return records.get(keyOf(tenant, taskId));
    },
    async put(record, options = {}) {
      const key = keyOf(record.task.tenant, record.task.id);
      const current = records.get(key);
      if (options.expectedRevision !== undefined && (current?.revision ?? 0) !== options.expectedRevision) {
        throw supersededError(record.task.tenant, record.task.id);
      }
      revisions += 1;
      records.delete(key);
      // A shallow copy, like a real store: later reassignments of the caller's fields are not stored
      // by accident. Node states are replaced, never mutated, by the planner machine, so this is a
      // consistent snapshot without the cost of a deep clone on every transition.
      records.set(key, { record: { ...record }, revision: revisions });
      if (records.size > capacity) {
        const oldest = records.keys().next().value;
        if (oldest !== undefined) records.delete(oldest);
      }
      return revisions;
    },
  };
}
