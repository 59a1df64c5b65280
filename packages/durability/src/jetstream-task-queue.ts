import { jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { ErrorCode, TroupeError, getTroupeErrorFromUnknown, type ErrorReply } from '@troupe/protocol';
import type { TaskConsumer, TaskDelivery, TaskQueue } from '@troupe/store-contract';
import { silentLogger, type Logger } from '@troupe/transport';
import { ensureDeadLetterStream, publishDeadLetter } from './dead-letters.js';
import { isMissingResource } from './jetstream-errors.js';
import { parseQueuedTask } from './queued-task-message.js';
import { DurableResource, durableSubjects, taskMessageId, tenantOf } from './resource-names.js';
import { ensureTaskQueue, resolveQueueSettings, type TaskQueueSettings } from './task-queue-setup.js';

export interface JetStreamTaskQueueOptions extends TaskQueueSettings {
  connection: NatsConnection;
  logger?: Logger;
}

export interface JetStreamTaskQueue extends TaskQueue, AsyncDisposable {
  /** Stops every consumer and the lease renewals; deliveries in hand are left to expire. Idempotent. */
  dispose(): Promise<void>;
}

/**
 * The durable task queue on JetStream: a work-queue stream deduplicated by task id, one durable
 * pull consumer shared by the planner replicas, lease renewal (`working()`) while a task runs,
 * redelivery with backoff, and a dead-letter stream for tasks that cannot be run.
 *
 * @example
 * const queue = await createJetStreamTaskQueue({ connection });
 * const planner = await hostPlanner({ connection, pipelines, store: await createKvTaskStore({ connection }), queue });
 */
export async function createJetStreamTaskQueue(options: JetStreamTaskQueueOptions): Promise<JetStreamTaskQueue> {
  const { connection } = options;
  const logger = (options.logger ?? silentLogger).child({ component: 'task-queue' });
  const settings = resolveQueueSettings(options);
  const manager = await jetstreamManager(connection);
  const js = jetstream(connection);
  const ensure = async () => {
    await ensureTaskQueue(manager, settings);
    await ensureDeadLetterStream(manager, { replicas: settings.replicas });
  };
  await ensure();

  // Every delivery in hand is renewed on one timer; a frozen or dead process renews nothing.
  const inHand = new Set<JsMsg>();
  const heartbeatMs = Math.max(50, Math.floor(settings.ackWaitMs / 4));
  const heartbeat = setInterval(() => {
    for (const message of inHand) {
      try {
        message.working();
      } catch (error) {
        // Closed connection: the lease lapses and the task moves to another replica, as if we died.
        logger.debug({ err: error }, 'could not renew a task lease');
      }
    }
  }, heartbeatMs);
  const consumers = new Set<TaskConsumer>();
  const openFetches = new Set<ConsumerMessages>();
  let disposed = false;
  // Pulls open when the server went away are dead; drop them on reconnect so slots pull again at once.
  void (async () => {
    for await (const status of connection.status()) {
      if (status.type === 'reconnect') for (const fetch of openFetches) fetch.stop();
    }
  })().catch(() => undefined);

  function toDelivery(message: JsMsg): TaskDelivery {
    const tenant = tenantOf(message.subject) ?? 'default';
    const { queued, invalid } = parseQueuedTask(message.data, tenant);
    inHand.add(message);
    let settled = false;
    const settle = () => {
      const first = !settled;
      settled = true;
      inHand.delete(message);
      return first;
    };
    return {
      queued,
      invalid,
      deliveryCount: message.info.deliveryCount,
      async ack() {
        if (!settle()) return;
        // A lost ack only means one more delivery, which finds the task finished and acks again.
        await message.ackAck().catch((error: unknown) => logger.warn({ err: error }, 'ack not confirmed; the task may be delivered once more'));
      },
      release(delayMs = 0) {
        if (settle()) message.nak(delayMs);
      },
      abandon() {
        settle();
      },
      async deadLetter(reason: ErrorReply) {
        if (settled) return;
        const text = new TextDecoder().decode(message.data);
        await publishDeadLetter(connection, {
          tenant,
          taskId: queued?.task.id ?? `seq-${message.seq}`,
          reason,
          deliveries: message.info.deliveryCount,
          queueSequence: message.seq,
          deadAt: Date.now(),
          message: queued ?? text,
        });
        if (settle()) message.term();
        logger.warn({ taskId: queued?.task.id, tenant, code: reason.code, deliveries: message.info.deliveryCount }, `task dead-lettered: ${reason.message}`);
      },
    };
  }

  function consume(handle: (delivery: TaskDelivery) => Promise<void>, consumeOptions: { concurrency: number }): TaskConsumer {
    let stopped = false;
    const fetches = new Set<ConsumerMessages>();
    const runSlot = async () => {
      let failures = 0;
      while (!stopped) {
        try {
          const consumer = await js.consumers.get(DurableResource.tasksStream, DurableResource.plannerConsumer);
          // One message per pull: a replica never holds a task it has no free slot for.
          const messages = await consumer.fetch({ max_messages: 1, expires: 5_000 });
          fetches.add(messages);
          openFetches.add(messages);
          try {
            for await (const message of messages) {
              if (stopped) {
                message.nak();
                continue;
              }
              await handleSafely(toDelivery(message));
            }
          } finally {
            fetches.delete(messages);
            openFetches.delete(messages);
          }
          failures = 0;
        } catch (error) {
          if (stopped) return;
          failures += 1;
          if (isMissingResource(error)) await ensure().catch(() => undefined);
          logger.warn({ err: error, failures }, 'pulling tasks failed; retrying');
          await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 50 * 2 ** Math.min(failures, 6))));
        }
      }
    };
    const handleSafely = async (delivery: TaskDelivery) => {
      try {
        await handle(delivery);
      } catch (error) {
        logger.error({ err: error, taskId: delivery.queued?.task.id }, 'task handler failed; giving the task back');
      }
      // A handler must settle its delivery; if it did not, the task goes back rather than hanging.
      delivery.release(1_000);
    };
    const slots = Array.from({ length: Math.max(1, consumeOptions.concurrency) }, () => runSlot());
    const consumer: TaskConsumer = {
      async stop() {
        stopped = true;
        for (const fetch of fetches) fetch.stop();
        consumers.delete(consumer);
        void Promise.allSettled(slots);
      },
    };
    consumers.add(consumer);
    return consumer;
  }

  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    await Promise.all([...consumers].map((consumer) => consumer.stop()));
    clearInterval(heartbeat);
    inHand.clear();
  };

  return {
    maxDeliveries: settings.maxDeliveries,
    async enqueue(queued) {
      const { tenant, id } = queued.task;
      const publish = () => js.publish(durableSubjects.taskQueue(tenant), JSON.stringify(queued), { msgID: taskMessageId(tenant, id) });
      try {
        let ack;
        try {
          ack = await publish();
        } catch (error) {
          // The stream was deleted or the server lost it: create it again and retry once.
          if (!/no responders|stream not found/i.test(String(error))) throw error;
          await ensure();
          ack = await publish();
        }
        return { duplicate: ack.duplicate };
      } catch (cause) {
        throw new TroupeError(ErrorCode.UNAVAILABLE, `could not queue task "${id}": ${getTroupeErrorFromUnknown(cause).message}`, { cause });
      }
    },
    consume,
    dispose,
    [Symbol.asyncDispose]: dispose,
  };
}
