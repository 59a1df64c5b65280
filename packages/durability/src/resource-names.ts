import { SUBJECT_ROOT } from '@troupe/protocol';

/** Names of the JetStream streams, consumer and KV buckets Troupe's durability layer uses. */
export const DurableResource = {
  /** Work-queue stream of submitted tasks. */
  tasksStream: 'TROUPE_TASKS',
  /** Durable pull consumer shared by every planner replica. */
  plannerConsumer: 'troupe-planner',
  /** Limits stream of tasks that could not be run, with the reason. */
  deadLetterStream: 'TROUPE_DEAD_TASKS',
  /** KV bucket of TaskRecords, key `<tenant>.<taskId>`. */
  tasksBucket: 'troupe_tasks',
  /** KV bucket of node attempts, key `<tenant>.<taskId>.<nodeId>.<attempt>`. */
  nodeResultsBucket: 'troupe_node_results',
} as const;

export const durableSubjects = {
  /** Where a task waits for a planner: `troupe.v1.<tenant>.tasks.queue`. */
  taskQueue: (tenant: string) => `${SUBJECT_ROOT}.${tenant}.tasks.queue`,
  /** Where a task that could not be run is parked: `troupe.v1.<tenant>.tasks.dead`. */
  deadTask: (tenant: string) => `${SUBJECT_ROOT}.${tenant}.tasks.dead`,
  anyTenant: {
    taskQueue: `${SUBJECT_ROOT}.*.tasks.queue`,
    deadTask: `${SUBJECT_ROOT}.*.tasks.dead`,
  },
} as const;

/** The JetStream message id of a queued task: JetStream drops a second publish with the same id. */
export const taskMessageId = (tenant: string, taskId: string) => `${tenant}.${taskId}`;

/** KV key of a task record. Tenant and task ids are subject-safe tokens (see `Id`). */
export const taskKey = (tenant: string, taskId: string) => `${tenant}.${taskId}`;

/** The tenant token of a `troupe.v1.<tenant>.…` subject. */
export function tenantOf(subject: string): string | undefined {
  const parts = subject.split('.');
  return parts.length > 3 ? parts[2] : undefined;
}

/** Nanoseconds, the unit of JetStream durations. */
export const nanos = (ms: number) => Math.round(ms * 1_000_000);
