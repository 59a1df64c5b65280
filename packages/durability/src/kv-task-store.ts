import type { NatsConnection } from '@nats-io/nats-core';
import { openKvBucket, type KvBucket } from '@troupe/kv';
import { supersededError, TaskRecordSchema, type TaskRecord, type TaskStore } from '@troupe/store-contract';
import { DurableResource, taskKey } from './resource-names.js';

export interface KvTaskStoreOptions {
  connection: NatsConnection;
  /** Bucket name (default `troupe_tasks`); created on first use. */
  bucket?: string;
  /** How long a record is kept after its last write (default 7 days). */
  retentionMs?: number;
  /** JetStream replicas (default 1; 3 on a cluster). */
  replicas?: number;
}

const DEFAULT_RETENTION_MS = 7 * 24 * 3_600_000;

/**
 * TaskStore in a JetStream KV bucket (file storage, history 1): planner state that outlives every
 * planner process. Conditional writes are `@troupe/kv` create-or-update at a revision, so a replica
 * that lost the task to another one cannot overwrite newer progress; every record read back is
 * validated against `TaskRecordSchema`.
 *
 * @example
 * const store = await createKvTaskStore({ connection });
 * const planner = await hostPlanner({ connection, pipelines, store });
 */
export async function createKvTaskStore(options: KvTaskStoreOptions): Promise<TaskStore> {
  const bucket = await openTaskBucket(options);
  const load = async (tenant: string, taskId: string) => {
    const stored = await bucket.get(taskKey(tenant, taskId));
    return stored ? { record: stored.value, revision: stored.revision } : undefined;
  };
  return {
    async get(tenant, taskId) {
      return (await load(tenant, taskId))?.record;
    },
    load,
    async put(record, putOptions = {}) {
      const key = taskKey(record.task.tenant, record.task.id);
      const expected = putOptions.expectedRevision;
      if (expected === undefined) return bucket.put(key, record);
      const written = await bucket.write(key, record, expected);
      if (!written.ok) throw supersededError(record.task.tenant, record.task.id);
      return written.revision;
    },
  };
}

/** Opens (creating if needed) the task-record bucket; also used by tools that read records. */
export function openTaskBucket(options: KvTaskStoreOptions): Promise<KvBucket<TaskRecord>> {
  return openKvBucket({
    connection: options.connection,
    bucket: options.bucket ?? DurableResource.tasksBucket,
    schema: TaskRecordSchema,
    ttlMs: options.retentionMs ?? DEFAULT_RETENTION_MS,
    replicas: options.replicas ?? 1,
  });
}

/** Every stored task record (optionally of one tenant), read in one pass over the bucket. */
export async function listTaskRecords(options: KvTaskStoreOptions & { tenant?: string; timeoutMs?: number }): Promise<TaskRecord[]> {
  const bucket = await openTaskBucket(options);
  const entries = await bucket.readAll({ timeoutMs: options.timeoutMs ?? 30_000, ...(options.tenant ? { prefix: options.tenant } : {}) });
  return entries.map((entry) => entry.value);
}
