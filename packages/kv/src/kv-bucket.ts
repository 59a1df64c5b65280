import { StorageType } from '@nats-io/jetstream';
import { Kvm, KvWatchInclude, type KV, type KvEntry } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import type { z } from 'zod';
import { isKvConflict } from './kv-conflict.js';
import { jitteredBackoff } from './jittered-backoff.js';
import { readLatest } from './read-latest.js';

export interface KvBucketOptions<T> {
  connection: NatsConnection;
  /** Bucket name; created on first use (history 1 unless told). */
  bucket: string;
  /** Every value read back is parsed with this schema; a value it rejects is an INTERNAL error, never a cast. */
  schema: z.ZodType<T>;
  /** How long a key lives after its last write (bucket-wide; nats-server 2.9 has no per-key TTL). */
  ttlMs?: number;
  /** JetStream replicas (default 1; 3 on a cluster). */
  replicas?: number;
  /** Default `file`; `memory` for state that may be lost with the server. */
  storage?: 'file' | 'memory';
  history?: number;
}

/** A validated value with the revision it was read at; writes can be conditional on that revision. */
export interface KvValue<T> {
  key: string;
  value: T;
  revision: number;
}

/** The outcome of a conditional write: the new revision, or a conflict (someone else wrote first). */
export type KvWriteResult = { ok: true; revision: number } | { ok: false; conflict: true };

/** A change seen by `watch`: the new value, or `undefined` when the key was deleted or purged. */
export type KvChangeListener<T> = (key: string, value: KvValue<T> | undefined) => void;

export interface KvWatch {
  stop(): void;
}

/** One typed NATS KV bucket: every write is JSON, every read is validated, conflicts are values. */
export interface KvBucket<T> {
  readonly name: string;
  get(key: string): Promise<KvValue<T> | undefined>;
  /** Unconditional write; resolves with the new revision. */
  put(key: string, value: T): Promise<number>;
  /**
   * Create-or-update at a revision: `expectedRevision` 0 creates the key only if it does not exist,
   * n updates it only if its last revision is still n. A lost race is `{ ok: false, conflict }`.
   */
  write(key: string, value: T, expectedRevision: number): Promise<KvWriteResult>;
  /**
   * Read-modify-write with compare-and-set, retried with jittered backoff on conflict; `change`
   * may run several times and must be pure. Gives up after `maxRounds` (default 500).
   */
  mutate(key: string, change: (current: T | undefined) => T, options?: { maxRounds?: number }): Promise<KvValue<T>>;
  delete(key: string): Promise<void>;
  /** Current values first (unless `updatesOnly`), then every change, until `stop()`. */
  watch(listener: KvChangeListener<T>, options?: { key?: string; updatesOnly?: boolean; onError?: (error: unknown) => void }): Promise<KvWatch>;
  /** The latest value of every key (optionally under `prefix.`), bounded by `timeoutMs` as a whole. */
  readAll(options?: { prefix?: string; timeoutMs?: number }): Promise<KvValue<T>[]>;
}

/**
 * Opens (creating if needed) a typed KV bucket.
 *
 * @example
 * const accounts = await openKvBucket({ connection, bucket: 'troupe_budgets', schema: BudgetAccount });
 * await accounts.mutate(kvKey('tenant', 'acme'), (current) => ({ ...current, spent: (current?.spent ?? 0) + 1 }));
 */
export async function openKvBucket<T>(options: KvBucketOptions<T>): Promise<KvBucket<T>> {
  const kv = await unavailableOnFailure(
    () =>
      new Kvm(options.connection).create(options.bucket, {
        history: options.history ?? 1,
        storage: options.storage === 'memory' ? StorageType.Memory : StorageType.File,
        replicas: options.replicas ?? 1,
        ...(options.ttlMs === undefined ? {} : { ttl: options.ttlMs }),
      }),
    `could not open KV bucket "${options.bucket}"`,
  );
  return kvBucketOf(kv, options.bucket, options.schema);
}

/** Wraps an already-open `KV` handle (for a caller that binds to a bucket it did not create). */
export function kvBucketOf<T>(kv: KV, name: string, schema: z.ZodType<T>): KvBucket<T> {
  const decode = (entry: KvEntry): KvValue<T> | undefined => {
    if (entry.operation !== 'PUT') return undefined;
    let json: unknown;
    try {
      json = entry.json<unknown>();
    } catch (cause) {
      throw new TroupeError(ErrorCode.INTERNAL, `KV "${name}": the value of "${entry.key}" is not JSON`, { cause, retryable: false });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new TroupeError(ErrorCode.INTERNAL, `KV "${name}": the value of "${entry.key}" does not match its schema: ${parsed.error.message}`, {
        retryable: false,
      });
    }
    return { key: entry.key, value: parsed.data, revision: entry.revision };
  };
  const get = async (key: string) => {
    const entry = await unavailableOnFailure(() => kv.get(key), `KV "${name}": could not read "${key}"`);
    return entry ? decode(entry) : undefined;
  };
  const write = async (key: string, value: T, expectedRevision: number): Promise<KvWriteResult> => {
    const data = JSON.stringify(value);
    try {
      const revision = expectedRevision === 0 ? await kv.create(key, data) : await kv.update(key, data, expectedRevision);
      return { ok: true, revision };
    } catch (error) {
      if (isKvConflict(error)) return { ok: false, conflict: true };
      throw asUnavailable(error, `KV "${name}": could not write "${key}"`);
    }
  };
  return {
    name,
    get,
    write,
    put: (key, value) => unavailableOnFailure(() => kv.put(key, JSON.stringify(value)), `KV "${name}": could not write "${key}"`),
    async mutate(key, change, mutateOptions = {}) {
      const maxRounds = mutateOptions.maxRounds ?? 500;
      for (let round = 0; round < maxRounds; round += 1) {
        const current = await get(key);
        const next = change(current?.value);
        const written = await write(key, next, current?.revision ?? 0);
        if (written.ok) return { key, value: next, revision: written.revision };
        await jitteredBackoff(round);
      }
      throw new TroupeError(ErrorCode.INTERNAL, `KV "${name}": gave up on "${key}" after ${maxRounds} conflicting writes`, { retryable: true });
    },
    delete: (key) => unavailableOnFailure(() => kv.delete(key), `KV "${name}": could not delete "${key}"`),
    async watch(listener, watchOptions = {}) {
      const watcher = await unavailableOnFailure(
        () => kv.watch({ key: watchOptions.key ?? '>', ...(watchOptions.updatesOnly ? { include: KvWatchInclude.UpdatesOnly } : {}) }),
        `KV "${name}": could not watch`,
      );
      let stopped = false;
      void (async () => {
        for await (const entry of watcher) {
          try {
            listener(entry.key, decode(entry));
          } catch (error) {
            watchOptions.onError?.(error);
          }
        }
      })().catch((error: unknown) => {
        if (!stopped) watchOptions.onError?.(error);
      });
      return {
        stop() {
          stopped = true;
          watcher.stop();
        },
      };
    },
    async readAll(readOptions = {}) {
      // The whole bucket, filtered here: a watch on a prefix no key matches would never say it caught up.
      const prefix = readOptions.prefix === undefined ? undefined : `${readOptions.prefix}.`;
      const entries = await readLatest(kv, readOptions.timeoutMs ?? 30_000);
      return entries.flatMap((entry) => (prefix && !entry.key.startsWith(prefix) ? [] : (decode(entry) ?? [])));
    },
  };
}

function asUnavailable(cause: unknown, message: string): TroupeError {
  if (cause instanceof TroupeError) return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new TroupeError(ErrorCode.UNAVAILABLE, `${message}: ${reason}`, { cause, retryable: true });
}

async function unavailableOnFailure<R>(work: () => Promise<R>, message: string): Promise<R> {
  try {
    return await work();
  } catch (cause) {
    throw asUnavailable(cause, message);
  }
}
