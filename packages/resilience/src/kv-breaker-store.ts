import { Kvm, type KV, type KvEntry } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import type { BreakerState, BreakerStore, StoredBreakerState } from './breaker-store.js';
import { isKvConflict } from './kv-conflict.js';
import { decodeKvKey, encodeKvKey } from './kv-key.js';
import type { Logger } from './logger.js';

export interface KvBreakerStoreOptions {
  connection: NatsConnection;
  /** Bucket name (default `troupe_breakers`); created if missing, history 1. */
  bucket?: string;
  logger?: Logger;
}

function storedOf(entry: KvEntry): StoredBreakerState | undefined {
  if (entry.operation !== 'PUT') return undefined;
  return { state: entry.json<BreakerState>(), revision: entry.revision };
}

/**
 * Breaker state in a NATS JetStream KV bucket, shared by every replica on the cluster. Writes
 * are revision CAS (`create` / `update`); one watcher per store pushes other replicas' changes
 * to the local cache within milliseconds. Uses only nats-server 2.9 features (no per-key TTL).
 *
 * @example
 * const store = await createKvBreakerStore({ connection: nc });
 * const breakers = createCircuitBreakers(store, { failureThreshold: 5, cooldownMs: 30_000 });
 */
export async function createKvBreakerStore(options: KvBreakerStoreOptions): Promise<BreakerStore> {
  const kv: KV = await new Kvm(options.connection).create(options.bucket ?? 'troupe_breakers', { history: 1 });
  const listeners = new Set<(key: string, stored: StoredBreakerState) => void>();
  const watcher = await kv.watch({ key: '>' });
  let disposed = false;
  void (async () => {
    for await (const entry of watcher) {
      const stored = storedOf(entry);
      if (!stored) continue;
      const key = decodeKvKey(entry.key);
      for (const listener of listeners) listener(key, stored);
    }
  })().catch((error: unknown) => {
    if (!disposed) options.logger?.warn({ err: error }, 'breaker watch stopped');
  });

  return {
    async get(key) {
      const entry = await kv.get(encodeKvKey(key));
      return entry ? storedOf(entry) : undefined;
    },
    async compareAndSet(key, state, expectedRevision) {
      const data = JSON.stringify(state);
      try {
        return expectedRevision === 0 ? await kv.create(encodeKvKey(key), data) : await kv.update(encodeKvKey(key), data, expectedRevision);
      } catch (error) {
        if (isKvConflict(error)) return undefined;
        throw error;
      }
    },
    watch(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      listeners.clear();
      watcher.stop();
    },
  };
}
