import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { initialNodeState } from '@troupe/planner';
import { RecordWriter, isSuperseded, type TaskRecord, type TaskStore } from '@troupe/runtime';
import { connectNats, silentLogger } from '@troupe/transport';
import { startNatsServer, type NatsServer } from '@troupe/testing';
import { createKvTaskStore } from './kv-task-store.js';

const recordOf = (id: string, owner: string): TaskRecord => ({
  task: { id, tenant: 'acme', pipeline: 'p', input: 'x', quality: 'balanced', metadata: {} } as TaskRecord['task'],
  pipelineName: 'p',
  startedAt: 1,
  status: 'running',
  nodes: {},
  owner,
});

describe('KV task store over a real nats-server', () => {
  let server: NatsServer;
  let connection: NatsConnection;
  let store: TaskStore;

  beforeAll(async () => {
    server = await startNatsServer();
    connection = await connectNats({ servers: server.url });
    store = await createKvTaskStore({ connection });
  });

  afterAll(async () => {
    await connection?.drain();
    await server?.stop();
  });

  it('stores records by tenant and id, and refuses writes at a stale revision', async () => {
    expect(await store.get('acme', 'r1')).toBeUndefined();
    const first = await store.put(recordOf('r1', 'a'), { expectedRevision: 0 });
    const conflict = await store.put(recordOf('r1', 'b'), { expectedRevision: 0 }).catch((error: unknown) => error);
    expect(isSuperseded(conflict)).toBe(true);
    const second = await store.put({ ...recordOf('r1', 'a'), status: 'completed' }, { expectedRevision: first });
    expect(second).toBeGreaterThan(first);
    const stale = await store.put(recordOf('r1', 'b'), { expectedRevision: first }).catch((error: unknown) => error);
    expect(isSuperseded(stale)).toBe(true);
    expect(await store.load('acme', 'r1')).toMatchObject({ revision: second, record: { status: 'completed', owner: 'a' } });
    expect(await store.get('other-tenant', 'r1')).toBeUndefined();
  });

  it('fences out a stale owner: once another replica takes the task over, the old writer stops', async () => {
    const record = recordOf('r2', 'replica-a');
    const writerA = new RecordWriter(store, record, { revision: 0, logger: silentLogger });
    record.nodes = { n1: { ...initialNodeState(), status: 'succeeded', attempt: 1 } };
    await writerA.flush();
    // Replica B resumes it, as after a redelivery: read at a revision, write as the new owner.
    const loaded = (await store.load('acme', 'r2'))!;
    const takenOver = { ...loaded.record, owner: 'replica-b' };
    const writerB = new RecordWriter(store, takenOver, { revision: loaded.revision, logger: silentLogger });
    await writerB.flush();
    record.nodes = { ...record.nodes, n2: { ...initialNodeState(), status: 'running', attempt: 1 } };
    writerA.changed();
    const error = await writerA.lost;
    expect(isSuperseded(error)).toBe(true);
    expect(writerA.isLost).toBe(true);
    expect((await store.get('acme', 'r2'))?.owner).toBe('replica-b');
    expect((await store.get('acme', 'r2'))?.nodes.n2).toBeUndefined();
  });

  it('adopts its own write that landed without an answer (a timed-out write), instead of giving the task up', async () => {
    const record = recordOf('r3', 'replica-a');
    const writer = new RecordWriter(store, record, { revision: 0, logger: silentLogger });
    await writer.flush();
    // The same owner's write lands behind the writer's back, moving the revision on.
    const loaded = (await store.load('acme', 'r3'))!;
    await store.put({ ...loaded.record }, { expectedRevision: loaded.revision });
    record.status = 'completed';
    await writer.flush();
    expect(writer.isLost).toBe(false);
    expect((await store.get('acme', 'r3'))?.status).toBe('completed');
  });

  it('coalesces a burst of transitions into a few writes and stores the last state', async () => {
    let writes = 0;
    const counting: TaskStore = { ...store, put: (record, options) => ((writes += 1), store.put(record, options)) };
    const record = recordOf('r4', 'replica-a');
    const writer = new RecordWriter(counting, record, { revision: 0, logger: silentLogger });
    for (let step = 1; step <= 200; step += 1) {
      record.nodes = { n: { ...initialNodeState(), attempt: step } };
      writer.changed();
    }
    await writer.flush();
    expect(writes).toBeLessThanOrEqual(3);
    expect((await store.get('acme', 'r4'))?.nodes.n?.attempt).toBe(200);
  });
});
