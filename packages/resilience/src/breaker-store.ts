/** The three phases of a circuit breaker. */
export type BreakerPhase = 'closed' | 'open' | 'half-open';

/** A breaker's shared state; timestamps are epoch milliseconds so every replica reads them alike. */
export interface BreakerState {
  phase: BreakerPhase;
  /** Failure times inside the window, newest last (closed phase only). */
  failures: number[];
  /** When the breaker last opened. */
  openedAt: number | null;
  /** When the current half-open probe started; null while the probe slot is free. */
  probeStartedAt: number | null;
}

/** A state as stored, with the revision compare-and-set works against. */
export interface StoredBreakerState {
  state: BreakerState;
  revision: number;
}

/**
 * Where breaker state lives. In memory for one process; a NATS JetStream KV bucket to share it
 * across replicas. Writes are compare-and-set on the revision, so concurrent replicas never lose
 * each other's failures.
 */
export interface BreakerStore {
  get(key: string): Promise<StoredBreakerState | undefined>;
  /** Writes iff the stored revision is `expectedRevision` (0: the key must not exist). Returns the new revision, or undefined on conflict. */
  compareAndSet(key: string, state: BreakerState, expectedRevision: number): Promise<number | undefined>;
  /** Calls back on every change, from any replica. Returns an unsubscribe function. */
  watch(listener: (key: string, stored: StoredBreakerState) => void): () => void;
  dispose(): Promise<void>;
}

export const CLOSED: BreakerState = Object.freeze({ phase: 'closed', failures: [], openedAt: null, probeStartedAt: null }) as BreakerState;
