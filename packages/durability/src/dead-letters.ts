import { DiscardPolicy, RetentionPolicy, StorageType, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { z } from 'zod';
import { ErrorReply } from '@troupe/protocol';
import { isMissingResource } from './jetstream-errors.js';
import { DurableResource, durableSubjects, nanos } from './resource-names.js';

/** A task that could not be run, parked with the reason; what `troupe dlq list/show` prints. */
export const DeadLetter = z.object({
  tenant: z.string(),
  /** The task id, or `seq-<n>` when the message was unreadable. */
  taskId: z.string(),
  reason: ErrorReply,
  /** How many times the queue had delivered it to a planner. */
  deliveries: z.number().int().nonnegative(),
  /** Sequence of the original message in the task stream. */
  queueSequence: z.number().int().nonnegative(),
  deadAt: z.number(),
  /** The queued message as it was (a QueuedTask, or the raw text when it was not JSON). */
  message: z.unknown(),
});
export type DeadLetter = z.infer<typeof DeadLetter>;

/** A dead letter with its sequence in the dead-letter stream. */
export type StoredDeadLetter = DeadLetter & { sequence: number };

export interface DeadLetterOptions {
  /** How long dead letters are kept (default 30 days). */
  retentionMs?: number;
  replicas?: number;
}

/** Creates the dead-letter stream if it is missing: limits retention, file storage. */
export async function ensureDeadLetterStream(manager: JetStreamManager, options: DeadLetterOptions = {}): Promise<void> {
  const config = {
    name: DurableResource.deadLetterStream,
    subjects: [durableSubjects.anyTenant.deadTask],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(options.retentionMs ?? 30 * 24 * 3_600_000),
    duplicate_window: nanos(10 * 60_000),
    num_replicas: options.replicas ?? 1,
  };
  try {
    await manager.streams.info(config.name);
  } catch (error) {
    if (!isMissingResource(error)) throw error;
    await manager.streams.add(config);
  }
}

/** Publishes a dead letter; the id makes a repeated move (a replica died mid-way) a no-op. */
export async function publishDeadLetter(connection: NatsConnection, letter: DeadLetter): Promise<void> {
  await jetstream(connection).publish(durableSubjects.deadTask(letter.tenant), JSON.stringify(letter), {
    msgID: `dead.${letter.tenant}.${letter.taskId}.${letter.queueSequence}`,
  });
}

/** The newest `limit` dead letters, oldest first, optionally for one tenant. */
export async function listDeadLetters(connection: NatsConnection, options: { tenant?: string; limit?: number } = {}): Promise<StoredDeadLetter[]> {
  const manager = await jetstreamManager(connection);
  let info;
  try {
    info = await manager.streams.info(DurableResource.deadLetterStream);
  } catch (error) {
    if (isMissingResource(error)) return [];
    throw error;
  }
  const limit = options.limit ?? 100;
  const letters: StoredDeadLetter[] = [];
  for (let sequence = info.state.last_seq; sequence >= info.state.first_seq && sequence > 0 && letters.length < limit; sequence -= 1) {
    const stored = await manager.streams.getMessage(DurableResource.deadLetterStream, { seq: sequence }).catch(() => null);
    if (!stored) continue; // removed by age
    const parsed = DeadLetter.safeParse(stored.json());
    if (!parsed.success) continue;
    if (options.tenant && parsed.data.tenant !== options.tenant) continue;
    letters.push({ ...parsed.data, sequence });
  }
  return letters.reverse();
}

/** A dead letter by task id (the newest with that id) or by its sequence in the dead-letter stream. */
export async function findDeadLetter(connection: NatsConnection, id: string, options: { tenant?: string } = {}): Promise<StoredDeadLetter | undefined> {
  const letters = await listDeadLetters(connection, { ...options, limit: Number.MAX_SAFE_INTEGER });
  const bySequence = /^\d+$/.test(id) ? letters.find((letter) => letter.sequence === Number(id)) : undefined;
  return bySequence ?? letters.reverse().find((letter) => letter.taskId === id);
}
