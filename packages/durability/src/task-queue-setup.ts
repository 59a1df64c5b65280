import { AckPolicy, DeliverPolicy, DiscardPolicy, RetentionPolicy, StorageType, type ConsumerConfig, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { isMissingResource } from './jetstream-errors.js';
import { DurableResource, durableSubjects, nanos } from './resource-names.js';

export interface TaskQueueSettings {
  /**
   * Lease of a delivery (default 750 ms): a planner that stops renewing it (killed, frozen) loses the
   * task to another replica this long after its last renewal. Short, because the holder renews
   * every `ackWaitMs / 4` for as long as the task runs.
   */
  ackWaitMs?: number;
  /** Deliveries before a task is dead-lettered instead of run again (default 8). */
  maxDeliveries?: number;
  /** JetStream drops a second submission of the same task id within this window (default 10 min). */
  duplicateWindowMs?: number;
  /** JetStream replicas of the stream and consumer (default 1; 3 on a cluster). */
  replicas?: number;
}

export interface ResolvedQueueSettings {
  ackWaitMs: number;
  maxDeliveries: number;
  duplicateWindowMs: number;
  replicas: number;
}

export function resolveQueueSettings(settings: TaskQueueSettings = {}): ResolvedQueueSettings {
  return {
    ackWaitMs: settings.ackWaitMs ?? 750,
    maxDeliveries: Math.max(1, settings.maxDeliveries ?? 8),
    duplicateWindowMs: settings.duplicateWindowMs ?? 10 * 60_000,
    replicas: settings.replicas ?? 1,
  };
}

/** The work-queue stream: each task is stored once (file storage) until a planner acks it. */
export function taskStreamConfig(settings: ResolvedQueueSettings): Partial<StreamConfig> & { name: string } {
  return {
    name: DurableResource.tasksStream,
    subjects: [durableSubjects.anyTenant.taskQueue],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(settings.duplicateWindowMs),
    num_replicas: settings.replicas,
  };
}

/**
 * Redelivery waits: the first equals the lease, so a dead planner's tasks move on within about
 * `ackWaitMs`; later ones grow, so a task that keeps killing planners does not keep killing them
 * at full speed before it is dead-lettered.
 */
export function redeliveryBackoffMs(settings: ResolvedQueueSettings): number[] {
  const factors = [1, 1, 2, 5, 10, 30, 60];
  // JetStream requires max_deliver > the number of backoff steps.
  return factors.slice(0, settings.maxDeliveries + 1).map((factor) => factor * settings.ackWaitMs);
}

/**
 * The durable pull consumer every planner replica shares. `max_deliver` leaves two deliveries
 * past `maxDeliveries`, so the replica that sees the limit still gets to dead-letter the task even
 * if another replica died while doing so.
 */
export function plannerConsumerConfig(settings: ResolvedQueueSettings): Partial<ConsumerConfig> & { durable_name: string } {
  return {
    durable_name: DurableResource.plannerConsumer,
    filter_subject: durableSubjects.anyTenant.taskQueue,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(settings.ackWaitMs),
    backoff: redeliveryBackoffMs(settings).map(nanos),
    max_deliver: settings.maxDeliveries + 2,
    max_ack_pending: 10_000,
    num_replicas: settings.replicas,
  };
}

/** Creates the task stream and the planner consumer, or brings the consumer's timing up to date. */
export async function ensureTaskQueue(manager: JetStreamManager, settings: ResolvedQueueSettings): Promise<void> {
  const stream = taskStreamConfig(settings);
  try {
    await manager.streams.info(stream.name);
  } catch (error) {
    if (!isMissingResource(error)) throw error;
    await manager.streams.add(stream);
  }
  const consumer = plannerConsumerConfig(settings);
  try {
    await manager.consumers.info(stream.name, consumer.durable_name);
    const { ack_wait, backoff, max_deliver, max_ack_pending } = consumer;
    await manager.consumers.update(stream.name, consumer.durable_name, { ack_wait, backoff, max_deliver, max_ack_pending });
  } catch (error) {
    if (!isMissingResource(error)) throw error;
    await manager.consumers.add(stream.name, consumer);
  }
}
