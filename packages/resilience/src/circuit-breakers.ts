import { ErrorCode, getTroupeErrorFromUnknown, TroupeError } from '@troupe/protocol';
import { CLOSED, type BreakerPhase, type BreakerState, type BreakerStore, type StoredBreakerState } from './breaker-store.js';
import type { Logger } from './logger.js';

export interface CircuitBreakerOptions {
  /** Failures inside `windowMs` that open the breaker (default 5). */
  failureThreshold?: number;
  windowMs?: number;
  /** How long an open breaker rejects calls before one probe may go through (default 30 s). */
  cooldownMs?: number;
  /** A probe that has not reported after this long frees the slot for another replica (default: cooldownMs). */
  probeTimeoutMs?: number;
  /** Which errors count against the provider. Default: retryable ones except CANCELLED and CIRCUIT_OPEN. */
  isFailure?: (error: TroupeError) => boolean;
  now?: () => number;
  logger?: Logger;
}

/** Permission for one call; `probe` marks the single half-open trial call. */
export interface BreakerPermit {
  readonly key: string;
  readonly probe: boolean;
}

export interface BreakerSnapshot {
  phase: BreakerPhase;
  failures: number;
  openedAt: number | null;
}

/** Circuit breakers keyed by provider+model, with state in a (possibly shared) BreakerStore. */
export interface CircuitBreakers extends AsyncDisposable {
  /** Throws CIRCUIT_OPEN (retryable, `details.retryAfterMs`) while the breaker rejects calls. */
  acquire(key: string): Promise<BreakerPermit>;
  recordSuccess(permit: BreakerPermit): Promise<void>;
  recordFailure(permit: BreakerPermit, error: unknown): Promise<void>;
  /** Ends a call that proved nothing (the caller stopped reading); frees a probe slot. */
  release(permit: BreakerPermit): Promise<void>;
  snapshot(key: string): Promise<BreakerSnapshot>;
  /** Calls back whenever a breaker's phase changes here or on another replica. */
  onChange(listener: (key: string, phase: BreakerPhase) => void): () => void;
  dispose(): Promise<void>;
}

const MAX_CAS_ROUNDS = 50;

export const defaultIsFailure = (error: TroupeError): boolean =>
  error.retryable && error.code !== ErrorCode.CANCELLED && error.code !== ErrorCode.CIRCUIT_OPEN;

/**
 * closed → open after `failureThreshold` failures within `windowMs` → half-open after `cooldownMs`,
 * where exactly one probe (across all replicas, by CAS) decides: success closes, failure re-opens.
 * Reads come from a local cache that the store's watch keeps current, so the hot path does no I/O;
 * every transition is a revision CAS, so replicas never overwrite each other. If the store is
 * unreachable the breaker fails open (lets calls through) rather than becoming the outage.
 *
 * @example
 * const breakers = createCircuitBreakers(await createKvBreakerStore({ connection }), { failureThreshold: 5 });
 * const guarded = createBreakerModel(model, breakers);
 */
export function createCircuitBreakers(store: BreakerStore, options: CircuitBreakerOptions = {}): CircuitBreakers {
  const threshold = options.failureThreshold ?? 5;
  const windowMs = options.windowMs ?? 60_000;
  const cooldownMs = options.cooldownMs ?? 30_000;
  const probeTimeoutMs = options.probeTimeoutMs ?? cooldownMs;
  const isFailure = options.isFailure ?? defaultIsFailure;
  const now = options.now ?? Date.now;
  const cache = new Map<string, StoredBreakerState>();
  const listeners = new Set<(key: string, phase: BreakerPhase) => void>();

  const remember = (key: string, stored: StoredBreakerState) => {
    const previous = cache.get(key);
    if (previous && previous.revision >= stored.revision) return;
    cache.set(key, stored);
    if ((previous?.state.phase ?? 'closed') !== stored.state.phase) {
      if (stored.state.phase === 'open') options.logger?.warn({ breakerKey: key }, 'circuit opened');
      for (const listener of listeners) listener(key, stored.state.phase);
    }
  };
  const unwatch = store.watch(remember);

  const fresh = async (key: string): Promise<StoredBreakerState | undefined> => {
    const stored = await store.get(key);
    if (stored) remember(key, stored);
    // A key never written is closed; caching that (revision 0) keeps healthy models off the store.
    else if (!cache.has(key)) cache.set(key, { state: CLOSED, revision: 0 });
    return stored ?? cache.get(key);
  };
  const current = async (key: string) => cache.get(key) ?? (await fresh(key));

  /** Applies `decide` to the latest state until a CAS lands; `decide` returns undefined for "no write". */
  const transition = async <T>(key: string, decide: (state: BreakerState, at: number) => { next?: BreakerState; result: T }): Promise<T> => {
    let stored = await current(key);
    for (let round = 0; round < MAX_CAS_ROUNDS; round += 1) {
      const { next, result } = decide(stored?.state ?? CLOSED, now());
      if (!next) return result;
      const revision = await store.compareAndSet(key, next, stored?.revision ?? 0);
      if (revision !== undefined) {
        remember(key, { state: next, revision });
        return result;
      }
      stored = await fresh(key);
    }
    throw new TroupeError(ErrorCode.INTERNAL, `circuit breaker ${key}: too much write contention`);
  };

  const circuitOpen = (key: string, retryAfterMs: number) =>
    new TroupeError(ErrorCode.CIRCUIT_OPEN, `circuit open for ${key}; retry in ${Math.ceil(retryAfterMs)} ms`, {
      details: { breakerKey: key, retryAfterMs: Math.max(0, Math.ceil(retryAfterMs)) },
    });

  /** Store trouble must not fail model calls: log it and carry on. */
  const tolerant = async (what: string, key: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      options.logger?.warn({ err: error, breakerKey: key }, `circuit breaker ${what} not recorded`);
    }
  };

  const breakers: CircuitBreakers = {
    async acquire(key) {
      try {
        return await transition<BreakerPermit>(key, (state, at) => {
          if (state.phase === 'closed') return { result: { key, probe: false } };
          if (state.phase === 'open') {
            const reopensAt = (state.openedAt ?? 0) + cooldownMs;
            if (at < reopensAt) throw circuitOpen(key, reopensAt - at);
          } else if (state.probeStartedAt !== null && at < state.probeStartedAt + probeTimeoutMs) {
            throw circuitOpen(key, state.probeStartedAt + probeTimeoutMs - at);
          }
          // Cooldown over, or a stale probe: take the single probe slot.
          return { next: { ...state, phase: 'half-open', probeStartedAt: at }, result: { key, probe: true } };
        });
      } catch (thrown) {
        const error = getTroupeErrorFromUnknown(thrown);
        if (error.code === ErrorCode.CIRCUIT_OPEN) throw error;
        options.logger?.warn({ err: error, breakerKey: key }, 'circuit breaker store unavailable; letting the call through');
        return { key, probe: false };
      }
    },
    recordSuccess: (permit) =>
      tolerant('success', permit.key, () =>
        transition(permit.key, (state) =>
          state.phase === 'half-open' && permit.probe ? { next: { ...CLOSED }, result: undefined } : { result: undefined },
        ),
      ),
    async recordFailure(permit, thrown) {
      const error = getTroupeErrorFromUnknown(thrown);
      if (!isFailure(error)) return breakers.release(permit);
      await tolerant('failure', permit.key, () =>
        transition(permit.key, (state, at) => {
          if (state.phase === 'half-open') {
            return permit.probe ? { next: { ...state, phase: 'open', openedAt: at, probeStartedAt: null }, result: undefined } : { result: undefined };
          }
          if (state.phase === 'open') return { result: undefined };
          const failures = [...state.failures.filter((time) => time > at - windowMs), at].slice(-threshold);
          const next: BreakerState =
            failures.length >= threshold
              ? { phase: 'open', failures: [], openedAt: at, probeStartedAt: null }
              : { ...state, failures };
          return { next, result: undefined };
        }),
      );
    },
    release: (permit) =>
      permit.probe
        ? tolerant('release', permit.key, () =>
            transition(permit.key, (state) =>
              state.phase === 'half-open' ? { next: { ...state, probeStartedAt: null }, result: undefined } : { result: undefined },
            ),
          )
        : Promise.resolve(),
    async snapshot(key) {
      const state = (await current(key))?.state ?? CLOSED;
      return { phase: state.phase, failures: state.failures.length, openedAt: state.openedAt };
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async dispose() {
      unwatch();
      listeners.clear();
    },
    [Symbol.asyncDispose]: () => breakers.dispose(),
  };
  return breakers;
}
