export {
  openKvBucket,
  kvBucketOf,
  type KvBucket,
  type KvBucketOptions,
  type KvChangeListener,
  type KvValue,
  type KvWatch,
  type KvWriteResult,
} from './kv-bucket.js';
export { decodeKvKey, encodeKvKey, kvKey } from './kv-key.js';
export { isKvConflict } from './kv-conflict.js';
export { jitteredBackoff } from './jittered-backoff.js';
export { readLatest } from './read-latest.js';
export { createKvIdempotency, type KvIdempotency, type KvIdempotencyOptions } from './kv-idempotency.js';
