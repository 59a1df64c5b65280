// Idempotency keys shared by planner replicas: the same `Troupe-Idempotency-Key` gets the same reply,
// and the task runs once, whichever replica answers — over a real nats-server, each replica with its
// own connection and its own (in-memory) task store, so only the shared KV bucket can tie them together.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { Svcm } from '@nats-io/services';
import { createKvIdempotency } from '@troupe/kv';
import { subjects, type TaskResult } from '@troupe/protocol';
import { createTroupe, hostPlanner, type Troupe } from '@troupe/runtime';
import { connectNats, requestJson, type TroupeService } from '@troupe/transport';
import { startNatsServer, type NatsServer } from '@troupe/testing';

const pipelines = [{ name: 'one-step', nodes: [{ id: 'answer', skill: 'generate' }] }];

describe('two planner replicas sharing idempotency keys in NATS KV', () => {
  let server: NatsServer;
  const connections: NatsConnection[] = [];
  const replicas: TroupeService[] = [];
  let workers: Troupe;
  let client: NatsConnection;
  const workerCalls: string[] = [];

  beforeAll(async () => {
    server = await startNatsServer();
    const connect = async () => {
      const connection = await connectNats({ servers: server.url });
      connections.push(connection);
      return connection;
    };
    workers = await createTroupe({
      connection: await connect(),
      models: { models: [{ id: 'echo-small', provider: 'echo' }] },
      pipelines,
      roles: ['worker', 'judge'],
    });
    for (let index = 0; index < 2; index += 1) {
      const connection = await connect();
      replicas.push(await hostPlanner({ connection, pipelines, idempotency: await createKvIdempotency({ connection }) }));
    }
    client = await connect();
    // Every request a planner sends to a worker, seen outside the queue group: the work actually done.
    client.subscribe(subjects.workerRun('generate'), { callback: (_error, message) => workerCalls.push(message.subject) });
    await client.flush();
  });

  afterAll(async () => {
    for (const replica of replicas) await replica.stop();
    await workers?.stop();
    for (const connection of connections) await connection.drain();
    await server?.stop();
  });

  const run = (key: string, input: string) =>
    requestJson(
      client,
      subjects.taskRun('default'),
      { pipeline: 'one-step', input },
      { timeoutMs: 15_000, idempotencyKey: key },
    ) as Promise<TaskResult>;

  it('answers the same key with the same reply from either replica, and runs the task once', async () => {
    const replies = await Promise.all(Array.from({ length: 16 }, () => run('order-42', 'refund order 42')));
    // No task id in the body: without the shared bucket each replica would run its own task, with its own id.
    expect(new Set(replies.map((reply) => reply.taskId)).size).toBe(1);
    for (const reply of replies) expect(reply).toEqual(replies[0]);
    expect(replies[0]?.status).toBe('completed');
    expect(workerCalls).toHaveLength(1);

    // Both replicas answered some of the sixteen (queue group; all to one has odds 2^-15).
    const answered: number[] = [];
    for await (const stats of await new Svcm(client).client().stats('troupe-planner')) {
      answered.push(stats.endpoints?.find((endpoint) => endpoint.name === 'run')?.num_requests ?? 0);
    }
    expect(answered).toHaveLength(2);
    expect(Math.min(...answered)).toBeGreaterThan(0);

    // A later retry with the same key is answered from the bucket, whichever replica takes it.
    const again = await Promise.all([run('order-42', 'refund order 42'), run('order-42', 'refund order 42')]);
    for (const reply of again) expect(reply).toEqual(replies[0]);
    expect(workerCalls).toHaveLength(1);
  });

  it('runs a different key as a different task', async () => {
    const before = workerCalls.length;
    const [first, second] = await Promise.all([run('order-43', 'refund order 43'), run('order-44', 'refund order 44')]);
    expect(first.taskId).not.toBe(second.taskId);
    expect(workerCalls.length - before).toBe(2);
  });
});
