import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { TaskDelivery } from '@troupe/store-contract';
import { connectNats } from '@troupe/transport';
import { startNatsServer, type NatsServer } from '@troupe/testing';
import { listDeadLetters } from './dead-letters.js';
import { createJetStreamTaskQueue, type JetStreamTaskQueue } from './jetstream-task-queue.js';
import { DurableResource, durableSubjects } from './resource-names.js';

const taskOf = (id: string) => ({ task: { id, tenant: 'acme', pipeline: 'p', input: id, quality: 'balanced' as const, metadata: {} } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await sleep(20);
  }
}

describe('JetStream task queue over a real nats-server', () => {
  let server: NatsServer;
  let connection: NatsConnection;
  let queue: JetStreamTaskQueue;

  beforeAll(async () => {
    server = await startNatsServer();
    connection = await connectNats({ servers: server.url });
    queue = await createJetStreamTaskQueue({ connection, ackWaitMs: 500, maxDeliveries: 3 });
  });

  afterAll(async () => {
    await queue?.dispose();
    await connection?.drain();
    await server?.stop();
  });

  const pending = async () => (await (await jetstreamManager(connection)).streams.info(DurableResource.tasksStream)).state.messages;

  it('stores a task once per id, renews the lease while it runs, and removes it on ack', async () => {
    expect(await queue.enqueue(taskOf('q1'))).toEqual({ duplicate: false });
    expect(await queue.enqueue(taskOf('q1'))).toEqual({ duplicate: true });
    expect(await pending()).toBe(1);
    const deliveries: TaskDelivery[] = [];
    const consumer = queue.consume(async (delivery) => {
      deliveries.push(delivery);
      await sleep(2_000); // four leases long: only renewal keeps it from being redelivered
      await delivery.ack();
    }, { concurrency: 2 });
    // A second replica pulling at the same time gets nothing while the first one holds the task.
    const rival: TaskDelivery[] = [];
    const rivalConsumer = queue.consume(async (delivery) => {
      rival.push(delivery);
      delivery.release();
    }, { concurrency: 1 });
    await waitFor(() => deliveries.length === 1);
    await sleep(2_300);
    await Promise.all([consumer.stop(), rivalConsumer.stop()]);
    expect(deliveries.map((delivery) => [delivery.queued?.task.id, delivery.deliveryCount])).toEqual([['q1', 1]]);
    expect(rival).toEqual([]);
    expect(await pending()).toBe(0);
  });

  it('never hands a replica more tasks than its concurrency, and redelivers a released task', async () => {
    for (const id of ['c1', 'c2', 'c3', 'c4', 'c5']) await queue.enqueue(taskOf(id));
    let inHandler = 0;
    let most = 0;
    let settled = 0;
    const seen: Array<[string | undefined, number]> = [];
    const consumer = queue.consume(async (delivery) => {
      inHandler += 1;
      most = Math.max(most, inHandler);
      seen.push([delivery.queued?.task.id, delivery.deliveryCount]);
      await sleep(100);
      inHandler -= 1;
      if (delivery.queued?.task.id === 'c3' && delivery.deliveryCount === 1) delivery.release(0);
      else await delivery.ack();
      settled += 1;
    }, { concurrency: 2 });
    await waitFor(() => settled === 6);
    await consumer.stop();
    expect(most).toBe(2);
    expect(seen.filter(([id]) => id === 'c3').map(([, count]) => count)).toEqual([1, 2]);
    expect(await pending()).toBe(0);
  });

  it('dead-letters an unreadable message with its reason and removes it from the queue', async () => {
    const { jetstream } = await import('@nats-io/jetstream');
    await jetstream(connection).publish(durableSubjects.taskQueue('acme'), '{ not json');
    await jetstream(connection).publish(durableSubjects.taskQueue('acme'), JSON.stringify(taskOf('wrong-tenant')).replace('"acme"', '"globex"'));
    const invalid: string[] = [];
    const consumer = queue.consume(async (delivery) => {
      await delivery.deadLetter(delivery.invalid!.toReply());
      invalid.push(delivery.invalid?.code ?? 'valid');
    }, { concurrency: 1 });
    await waitFor(() => invalid.length === 2);
    await sleep(200);
    await consumer.stop();
    expect(invalid).toEqual(['INVALID_TASK', 'PERMISSION_DENIED']);
    const letters = await listDeadLetters(connection, { tenant: 'acme' });
    expect(letters.map((letter) => letter.reason.code)).toEqual(['INVALID_TASK', 'PERMISSION_DENIED']);
    // A pull left open by an earlier test's stopped consumer may have swallowed the first delivery.
    expect(letters[0]).toMatchObject({ tenant: 'acme', message: '{ not json' });
    expect(letters[0]?.deliveries).toBeGreaterThanOrEqual(1);
    expect(letters[0]?.taskId).toMatch(/^seq-\d+$/);
    expect(await pending()).toBe(0);
  });

  it('stops pulling on stop(): a task queued afterwards goes to another replica', async () => {
    const first: string[] = [];
    const consumer = queue.consume(async (delivery) => {
      first.push(delivery.queued!.task.id);
      await delivery.ack();
    }, { concurrency: 4 });
    await consumer.stop();
    await queue.enqueue(taskOf('after-stop'));
    const second: string[] = [];
    const other = queue.consume(async (delivery) => {
      second.push(delivery.queued!.task.id);
      await delivery.ack();
    }, { concurrency: 1 });
    await waitFor(() => second.length === 1);
    await other.stop();
    expect(first).toEqual([]);
    expect(second).toEqual(['after-stop']);
  });
});
