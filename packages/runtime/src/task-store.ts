import { supersededError, type TaskStore, type VersionedTaskRecord } from '@troupe/store-contract';

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
