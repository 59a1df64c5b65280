import type { BreakerState, BreakerStore, StoredBreakerState } from './breaker-store.js';

/**
 * A BreakerStore for one process (embedding, unit tests). Several CircuitBreakers built on one
 * memory store behave like replicas sharing a KV bucket.
 */
export function createMemoryBreakerStore(): BreakerStore {
  const entries = new Map<string, StoredBreakerState>();
  const listeners = new Set<(key: string, stored: StoredBreakerState) => void>();
  return {
    async get(key) {
      const entry = entries.get(key);
      return entry && structuredClone(entry);
    },
    async compareAndSet(key: string, state: BreakerState, expectedRevision: number) {
      const revision = entries.get(key)?.revision ?? 0;
      if (revision !== expectedRevision) return undefined;
      const stored = { state: structuredClone(state), revision: revision + 1 };
      entries.set(key, stored);
      for (const listener of listeners) listener(key, structuredClone(stored));
      return stored.revision;
    },
    watch(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async dispose() {
      listeners.clear();
    },
  };
}
