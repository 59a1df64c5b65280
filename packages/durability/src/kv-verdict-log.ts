import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { openKvBucket, type KvBucket } from '@troupe/kv';
import { VerdictFeedEntry, subjects } from '@troupe/protocol';
import { silentLogger, type Logger } from '@troupe/transport';

/** Verdict records in NATS KV, key `<tenant>.<taskId>.<nodeId>.<attempt>`, kept for a retention period. */
export interface VerdictLog {
  /** Stores one verdict (idempotent: the same node attempt overwrites itself). */
  record(entry: VerdictFeedEntry): Promise<void>;
  /** Every stored verdict of a task, by node and attempt. */
  listByTask(tenant: string, taskId: string, options?: { timeoutMs?: number }): Promise<VerdictFeedEntry[]>;
}

export interface KvVerdictLogOptions {
  connection: NatsConnection;
  /** How long verdicts are kept (default 7 days): the bucket's TTL, counted from each verdict's write. */
  retentionMs?: number;
  replicas?: number;
  /** Bucket name (default `troupe_verdicts`). */
  bucket?: string;
}

export const VERDICTS_BUCKET = 'troupe_verdicts';

/**
 * Opens the verdict log: judge verdicts persisted for a retention period and readable by task (the
 * `troupe verdicts` command, a router replaying outcomes after a restart, a dashboard behind the CLI/API).
 *
 * @example
 * const verdicts = await createKvVerdictLog({ connection, retentionMs: 7 * 86_400_000 });
 * for (const verdict of await verdicts.listByTask('acme', taskId)) console.log(verdict.nodeId, verdict.decision);
 */
export async function createKvVerdictLog(options: KvVerdictLogOptions): Promise<VerdictLog> {
  const bucket: KvBucket<VerdictFeedEntry> = await openKvBucket({
    connection: options.connection,
    bucket: options.bucket ?? VERDICTS_BUCKET,
    schema: VerdictFeedEntry,
    ttlMs: options.retentionMs ?? 7 * 86_400_000,
    replicas: options.replicas ?? 1,
  });
  return {
    async record(entry) {
      await bucket.put(`${entry.tenant ?? 'default'}.${entry.taskId}.${entry.nodeId}.${entry.attempt}`, entry);
    },
    async listByTask(tenant, taskId, listOptions = {}) {
      const entries = await bucket.readAll({ prefix: `${tenant}.${taskId}`, ...(listOptions.timeoutMs ? { timeoutMs: listOptions.timeoutMs } : {}) });
      return entries.map((entry) => entry.value).sort((left, right) => left.nodeId.localeCompare(right.nodeId) || left.attempt - right.attempt);
    },
  };
}

/**
 * Records every verdict the judges publish on `troupe.v1.internal.verdicts`. Replicas share one queue
 * group, so each verdict is written once however many recorders run. Invalid entries are logged, not stored.
 */
export function recordVerdictFeed(connection: NatsConnection, log: VerdictLog, logger: Logger = silentLogger): Subscription {
  const decoder = new TextDecoder();
  return connection.subscribe(subjects.verdictFeed, {
    queue: 'troupe-verdict-recorder',
    callback: (error, message) => {
      if (error) return;
      let entry: VerdictFeedEntry;
      try {
        entry = VerdictFeedEntry.parse(JSON.parse(decoder.decode(message.data)));
      } catch (cause) {
        logger.warn({ err: cause }, 'ignored an invalid verdict on the feed');
        return;
      }
      log.record(entry).catch((cause: unknown) => logger.warn({ err: cause, taskId: entry.taskId }, 'could not record a verdict'));
    },
  });
}
