export { NodeRecordSchema, TaskRecordSchema, type NodeRecord, type PlannedTask, type TaskRecord } from './task-record.js';
export { isSuperseded, supersededError, type PutOptions, type TaskStore, type VersionedTaskRecord } from './task-store.js';
export type { QueuedTask, TaskConsumer, TaskDelivery, TaskQueue } from './task-queue.js';
export type { NodeResultLedger } from './node-result-ledger.js';
