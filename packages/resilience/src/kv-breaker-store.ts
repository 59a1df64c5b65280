import type { NatsConnection } from '@nats-io/nats-core';
import { decodeKvKey, encodeKvKey, openKvBucket, type KvValue } from '@troupe/kv';
import { z } from 'zod';
import type { BreakerState, BreakerStore, StoredBreakerState } from './breaker-store.js';
import type { Logger } from './logger.js';

export interface KvBreakerStoreOptions {
  connection: NatsConnection;
  /** Bucket name (default `troupe_breakers`); created if missing, history 1. */
  bucket?: string;
  logger?: Logger;
}

/** What a stored breaker state must look like; read back through this, never cast. */
const StoredState: z.ZodType<BreakerState> = z.object({
  phase: z.enum(['closed', 'open', 'half-open']),
  failures: z.array(z.number()),
  openedAt: z.number().nullable(),
  probeStartedAt: z.number().nullable(),
});

const storedOf = (value: KvValue<BreakerState>): StoredBreakerState => ({ state: value.value, revision: value.revision });

/**
 * Breaker state in a NATS JetStream KV bucket, shared by every replica on the cluster. Writes
 * are revision CAS (`@troupe/kv` `write`); one watcher per store pushes other replicas' changes
 * to the local cache within milliseconds. Uses only nats-server 2.9 features (no per-key TTL).
 *
 * @example
 * const store = await createKvBreakerStore({ connection: nc });
 * const breakers = createCircuitBreakers(store, { failureThreshold: 5, cooldownMs: 30_000 });
 */
export async function createKvBreakerStore(options: KvBreakerStoreOptions): Promise<BreakerStore> {
  const bucket = await openKvBucket({ connection: options.connection, bucket: options.bucket ?? 'troupe_breakers', schema: StoredState });
  const listeners = new Set<(key: string, stored: StoredBreakerState) => void>();
  let disposed = false;
  const watch = await bucket.watch(
    (key, value) => {
      if (!value) return;
      const stored = storedOf(value);
      for (const listener of listeners) listener(decodeKvKey(key), stored);
    },
    {
      onError: (error) => {
        if (!disposed) options.logger?.warn({ err: error }, 'breaker watch stopped or saw a bad value');
      },
    },
  );

  return {
    async get(key) {
      const value = await bucket.get(encodeKvKey(key));
      return value ? storedOf(value) : undefined;
    },
    async compareAndSet(key, state, expectedRevision) {
      const written = await bucket.write(encodeKvKey(key), state, expectedRevision);
      return written.ok ? written.revision : undefined;
    },
    watch(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      listeners.clear();
      watch.stop();
    },
  };
}
