export { DurableResource, durableSubjects, taskKey, taskMessageId } from './resource-names.js';
export { createKvTaskStore, listTaskRecords, openTaskBucket, type KvTaskStoreOptions } from './kv-task-store.js';
export { createJetStreamTaskQueue, type JetStreamTaskQueue, type JetStreamTaskQueueOptions } from './jetstream-task-queue.js';
export {
  ensureTaskQueue,
  plannerConsumerConfig,
  redeliveryBackoffMs,
  resolveQueueSettings,
  taskStreamConfig,
  type ResolvedQueueSettings,
  type TaskQueueSettings,
} from './task-queue-setup.js';
export { parseQueuedTask } from './queued-task-message.js';
export {
  DeadLetter,
  ensureDeadLetterStream,
  findDeadLetter,
  listDeadLetters,
  publishDeadLetter,
  type DeadLetterOptions,
  type StoredDeadLetter,
} from './dead-letters.js';
export { createKvNodeLedger, listNodeAttempts, nodeAttemptKey, openNodeResultsBucket, type KvNodeLedgerOptions, type NodeAttemptEntry } from './kv-node-ledger.js';
export { VERDICTS_BUCKET, createKvVerdictLog, recordVerdictFeed, type KvVerdictLogOptions, type VerdictLog } from './kv-verdict-log.js';
