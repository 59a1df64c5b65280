import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/nats-core';
import {
  ErrorCode,
  TroupeError,
  getTroupeErrorFromUnknown,
  ProgressEvent,
  TaskAccepted,
  TaskResult,
  subjects,
  type TaskSubmissionInput,
} from '@troupe/protocol';
import { requestJson } from '@troupe/transport';

export interface TroupeClientOptions {
  connection: NatsConnection;
  /** Tenant whose subjects this client uses. */
  tenant?: string;
  /** How long `run` waits for the verified result. */
  timeoutMs?: number;
}

export interface TroupeClient {
  /** Submits and waits for the verified result. */
  run(task: TaskSubmissionInput, options?: { timeoutMs?: number }): Promise<TaskResult>;
  /** Submits and returns at once; follow `events(taskId)` or ask `result(taskId)`. */
  submit(task: TaskSubmissionInput): Promise<TaskAccepted>;
  /** The task's result; with `waitMs`, waits up to that long for a running task to finish. */
  result(taskId: string, options?: { waitMs?: number }): Promise<TaskResult>;
  /** Progress events of one task, ending after `task.completed` or `task.failed`. */
  events(taskId: string, options?: { signal?: AbortSignal }): AsyncIterable<ProgressEvent>;
  /** Subscribes to progress first, then runs the task, so no event is missed. */
  runWithProgress(task: TaskSubmissionInput, options?: { timeoutMs?: number }): { taskId: string; events: AsyncIterable<ProgressEvent>; result: Promise<TaskResult> };
}

const decoder = new TextDecoder();

async function* subscriptionMessages<Message>(subscription: AsyncIterable<Message>, taskId: string): AsyncIterable<Message> {
  try {
    yield* subscription;
  } catch (error) {
    if (/permission/i.test(error instanceof Error ? `${error.name} ${error.message}` : String(error))) {
      throw new TroupeError(ErrorCode.PERMISSION_DENIED, `not allowed to follow the events of task "${taskId}"`, { cause: error });
    }
    throw getTroupeErrorFromUnknown(error, ErrorCode.UNAVAILABLE);
  }
}

/**
 * A Troupe client for Node backends. Other languages need no SDK: send JSON that matches
 * `task-submission.schema.json` to `troupe.v1.<tenant>.tasks.run`.
 *
 * @example
 * const client = createTroupeClient({ connection: await connect({ servers }) });
 * const result = await client.run({ pipeline: 'support-triage', input: { ticket: 'I was charged twice' } });
 */
export function createTroupeClient(options: TroupeClientOptions): TroupeClient {
  const { connection } = options;
  const tenant = options.tenant ?? 'default';
  const timeoutMs = options.timeoutMs ?? 120_000;

  const events = (taskId: string, eventOptions: { signal?: AbortSignal } = {}): AsyncIterable<ProgressEvent> => {
    const subscription = connection.subscribe(subjects.taskEvents(tenant, taskId));
    eventOptions.signal?.addEventListener('abort', () => subscription.unsubscribe(), { once: true });
    return (async function* () {
      try {
        // A refused subscription surfaces here as nats.js's permission error: give callers a TroupeError.
        for await (const message of subscriptionMessages(subscription, taskId)) {
          const parsed = ProgressEvent.safeParse(JSON.parse(decoder.decode(message.data)));
          if (!parsed.success) continue;
          yield parsed.data;
          if (parsed.data.type === 'task.completed' || parsed.data.type === 'task.failed') break;
        }
      } finally {
        subscription.unsubscribe();
      }
    })();
  };

  const run = (task: TaskSubmissionInput, runOptions: { timeoutMs?: number } = {}) =>
    requestJson(connection, subjects.taskRun(tenant), { ...task, tenant }, {
      timeoutMs: runOptions.timeoutMs ?? timeoutMs,
      replySchema: TaskResult,
      spanName: 'troupe.client.run',
      ...(task.id ? { idempotencyKey: task.id } : {}),
    });

  return {
    run,
    submit: (task) =>
      requestJson(connection, subjects.taskSubmit(tenant), { ...task, tenant }, {
        timeoutMs: 10_000,
        replySchema: TaskAccepted,
        spanName: 'troupe.client.submit',
      }),
    result: (taskId, resultOptions = {}) =>
      requestJson(connection, subjects.taskResult(tenant), { taskId, tenant, waitMs: resultOptions.waitMs ?? 0 }, {
        timeoutMs: (resultOptions.waitMs ?? 0) + 10_000,
        replySchema: TaskResult,
        spanName: 'troupe.client.result',
      }),
    events,
    runWithProgress(task, runOptions = {}) {
      const taskId = task.id ?? randomUUID();
      const stream = events(taskId);
      return { taskId, events: stream, result: run({ ...task, id: taskId, progress: true }, runOptions) };
    },
  };
}
