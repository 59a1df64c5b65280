export { withRetry, backoffDelayMs, defaultIsRetryable, type RetryOptions } from './with-retry.js';
export { abortableSleep } from './abortable-sleep.js';
export { createRetryingModel } from './retrying-model.js';
export { createTimeoutModel } from './timeout-model.js';
export { createFallbackModel, type FallbackEntry, type FallbackOptions } from './fallback-model.js';
export { createResilientModel, type ResilientEntry, type ResilientModelOptions } from './resilient-model.js';
export {
  createCircuitBreakers,
  defaultIsFailure,
  type BreakerPermit,
  type BreakerSnapshot,
  type CircuitBreakerOptions,
  type CircuitBreakers,
} from './circuit-breakers.js';
export { createBreakerModel, breakerKeyOf } from './breaker-model.js';
export { CLOSED, type BreakerPhase, type BreakerState, type BreakerStore, type StoredBreakerState } from './breaker-store.js';
export { createMemoryBreakerStore } from './memory-breaker-store.js';
export { createKvBreakerStore, type KvBreakerStoreOptions } from './kv-breaker-store.js';
export type { Logger } from './logger.js';
