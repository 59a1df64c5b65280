import type { NatsConnection } from '@nats-io/nats-core';
import { openKvBucket } from '@troupe/kv';
import type { z } from 'zod';

/**
 * The context layer's view of a JetStream KV bucket (through `@troupe/kv`, which validates every
 * read with the schema). It is the cluster's source of truth; each node mirrors it into its own
 * in-memory index with `mirror`.
 */
export interface ContextBucket<T> {
  readonly name: string;
  get(key: string): Promise<T | undefined>;
  put(key: string, value: T): Promise<void>;
  delete(key: string): Promise<void>;
  /** Keys under `prefix.` (or all keys). */
  keys(prefix?: string): Promise<string[]>;
  /**
   * Calls `onChange` for every current key and then for each later write (`value`) or delete
   * (`undefined`); resolves once the current keys are in, so a fresh node serves what the cluster has.
   */
  mirror(onChange: (key: string, value: T | undefined) => void): Promise<{ stop(): void }>;
}

/** Opens (creating if needed) a bucket of `schema` values; `ttlMs` is the server-side expiry of every key. */
export async function openContextBucket<T>(connection: NatsConnection, name: string, schema: z.ZodType<T>, options: { ttlMs?: number } = {}): Promise<ContextBucket<T>> {
  const bucket = await openKvBucket({ connection, bucket: name, schema, ...(options.ttlMs ? { ttlMs: options.ttlMs } : {}) });
  return {
    name,
    async get(key) {
      return (await bucket.get(key))?.value;
    },
    async put(key, value) {
      await bucket.put(key, value);
    },
    delete: (key) => bucket.delete(key),
    async keys(prefix) {
      return (await bucket.readAll(prefix ? { prefix } : {})).map((entry) => entry.key);
    },
    async mirror(onChange) {
      // Watch updates first, then read the snapshot: a write landing between the two is seen by the
      // watch, and the revision check keeps a stale snapshot value from overwriting it.
      const revisions = new Map<string, number>();
      const watch = await bucket.watch(
        (key, entry) => {
          revisions.set(key, entry?.revision ?? Number.MAX_SAFE_INTEGER);
          onChange(key, entry?.value);
        },
        { updatesOnly: true },
      );
      for (const entry of await bucket.readAll()) {
        if ((revisions.get(entry.key) ?? 0) >= entry.revision) continue;
        revisions.set(entry.key, entry.revision);
        onChange(entry.key, entry.value);
      }
      return watch;
    },
  };
}

/** A process-local bucket with the same contract, for a single node without NATS (and the bench). */
export function createMemoryBucket<T>(name = 'memory'): ContextBucket<T> {
  const values = new Map<string, T>();
  const listeners = new Set<(key: string, value: T | undefined) => void>();
  return {
    name,
    get: async (key) => values.get(key),
    async put(key, value) {
      values.set(key, value);
      for (const listener of listeners) listener(key, value);
    },
    async delete(key) {
      values.delete(key);
      for (const listener of listeners) listener(key, undefined);
    },
    keys: async (prefix) => [...values.keys()].filter((key) => !prefix || key.startsWith(`${prefix}.`)),
    async mirror(onChange) {
      for (const [key, value] of values) onChange(key, value);
      listeners.add(onChange);
      return { stop: () => listeners.delete(onChange) };
    },
  };
}
