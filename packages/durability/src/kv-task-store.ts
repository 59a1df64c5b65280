import { StorageType } from '@nats-io/jetstream';
import { Kvm, type KV, type KvEntry } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import { supersededError, type TaskRecord, type TaskStore, type VersionedTaskRecord } from '@troupe/runtime';
import { isWrongLastSequence } from './jetstream-errors.js';
import { readBucket } from './read-bucket.js';
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
 * planner process. Conditional writes map to KV `create` (revision 0) and `update` (revision n),
 * so a replica that lost the task to another one cannot overwrite newer progress.
 *
 * @example
 * const store = await createKvTaskStore({ connection });
 * const planner = await hostPlanner({ connection, pipelines, store });
 */
export async function createKvTaskStore(options: KvTaskStoreOptions): Promise<TaskStore> {
  const kv = await openTaskBucket(options);
  const decode = (entry: KvEntry | null): VersionedTaskRecord | undefined => {
    if (!entry || entry.operation !== 'PUT') return undefined;
    try {
      return { record: entry.json<TaskRecord>(), revision: entry.revision };
    } catch (cause) {
      throw new TroupeError(ErrorCode.INTERNAL, `the stored record "${entry.key}" is not valid JSON`, { cause, retryable: false });
    }
  };
  const read = async (tenant: string, taskId: string) => {
    try {
      return decode(await kv.get(taskKey(tenant, taskId)));
    } catch (cause) {
      throw asUnavailable(cause, `could not read task "${taskId}"`);
    }
  };
  return {
    async get(tenant, taskId) {
      return (await read(tenant, taskId))?.record;
    },
    load: read,
    async put(record, putOptions = {}) {
      const key = taskKey(record.task.tenant, record.task.id);
      const data = JSON.stringify(record);
      const expected = putOptions.expectedRevision;
      try {
        if (expected === undefined) return await kv.put(key, data);
        return expected === 0 ? await kv.create(key, data) : await kv.update(key, data, expected);
      } catch (cause) {
        if (isWrongLastSequence(cause)) throw supersededError(record.task.tenant, record.task.id, cause);
        throw asUnavailable(cause, `could not store task "${record.task.id}"`);
      }
    },
  };
}

/** Opens (creating if needed) the task-record bucket; also used by tools that read records. */
export function openTaskBucket(options: KvTaskStoreOptions): Promise<KV> {
  return new Kvm(options.connection).create(options.bucket ?? DurableResource.tasksBucket, {
    history: 1,
    storage: StorageType.File,
    ttl: options.retentionMs ?? DEFAULT_RETENTION_MS,
    replicas: options.replicas ?? 1,
  });
}

/** Every stored task record (optionally of one tenant), read in one pass over the bucket. */
export async function listTaskRecords(options: KvTaskStoreOptions & { tenant?: string; timeoutMs?: number }): Promise<TaskRecord[]> {
  const entries = await readBucket(() => openTaskBucket(options), options.timeoutMs ?? 30_000);
  return entries
    .filter((entry) => !options.tenant || entry.key.startsWith(`${options.tenant}.`))
    .map((entry) => entry.json<TaskRecord>());
}

function asUnavailable(cause: unknown, message: string): TroupeError {
  if (cause instanceof TroupeError) return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new TroupeError(ErrorCode.UNAVAILABLE, `${message}: ${reason}`, { cause });
}
