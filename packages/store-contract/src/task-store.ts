import { ErrorCode, TroupeError } from '@troupe/protocol';
import type { TaskRecord } from './task-record.js';

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

/** Where the planner keeps task records; runtime uses it, durability (JetStream KV) and runtime (memory) implement it. */
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
