import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { ErrorCode, TroupeError, type SubtaskRequest, type WorkerResult } from '@troupe/protocol';
import { connectNats } from '@troupe/transport';
import { startNatsServer, type NatsServer } from '@troupe/testing';
import { createKvNodeLedger, listNodeAttempts } from './kv-node-ledger.js';

const requestOf = (nodeId: string, timeoutMs = 5_000): SubtaskRequest => ({
  taskId: 't1',
  tenant: 'acme',
  nodeId,
  attempt: 1,
  skill: 'extract',
  instructions: '',
  input: 'x',
  quality: 'balanced',
  timeoutMs,
  feedback: [],
  stream: false,
});

const resultOf = (request: SubtaskRequest, worker: string): WorkerResult => ({
  taskId: request.taskId,
  nodeId: request.nodeId,
  attempt: request.attempt,
  output: `from ${worker}`,
  model: 'echo',
  provider: 'echo',
  usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0 },
  costUsd: 0.01,
  metrics: { latencyMs: 1, queueWaitMs: 0 },
  flagged: false,
  worker,
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('KV node ledger over a real nats-server', () => {
  let server: NatsServer;
  let connection: NatsConnection;

  beforeAll(async () => {
    server = await startNatsServer();
    connection = await connectNats({ servers: server.url });
  });

  afterAll(async () => {
    await connection?.drain();
    await server?.stop();
  });

  it('runs an attempt once across two replicas and replays its result to a re-sent request', async () => {
    const [a, b] = await Promise.all([createKvNodeLedger({ connection, workerId: 'a' }), createKvNodeLedger({ connection, workerId: 'b' })]);
    const request = requestOf('once');
    let executions = 0;
    const execute = (worker: string) => async () => {
      executions += 1;
      await sleep(200);
      return resultOf(request, worker);
    };
    const signal = new AbortController().signal;
    const [fromA, fromB] = await Promise.all([a.runOnce(request, execute('a'), signal), b.runOnce(request, execute('b'), signal)]);
    expect(executions).toBe(1);
    expect(fromB).toEqual(fromA);
    // A resumed planner re-sends the same attempt later: replayed, not paid for again.
    expect(await b.runOnce(request, execute('b'), signal)).toEqual(fromA);
    expect(executions).toBe(1);
    const stored = (await listNodeAttempts(connection)).find((attempt) => attempt.nodeId === 'once');
    expect(stored).toMatchObject({ state: 'done', executions: 1, tenant: 'acme', taskId: 't1', attempt: 1 });
  });

  it('takes over an attempt whose worker died holding the claim, once the lease ran out', async () => {
    const [dying, survivor] = await Promise.all([createKvNodeLedger({ connection, workerId: 'dying' }), createKvNodeLedger({ connection, workerId: 'survivor' })]);
    const request = requestOf('orphan', 100); // lease = 100 ms + 1 s margin
    const never = new Promise<WorkerResult>(() => undefined);
    void dying.runOnce(request, () => never, new AbortController().signal);
    await sleep(100);
    const started = Date.now();
    const result = await survivor.runOnce(request, async () => resultOf(request, 'survivor'), new AbortController().signal);
    expect(result.worker).toBe('survivor');
    expect(Date.now() - started).toBeGreaterThan(600);
    const stored = (await listNodeAttempts(connection)).find((attempt) => attempt.nodeId === 'orphan');
    // The start was recorded twice: the dying worker's call may have finished unstored, so it counts as a re-execution.
    expect(stored).toMatchObject({ state: 'done', worker: 'survivor', executions: 1, starts: 2 });
  });

  it('frees the claim of a failed execution, so a retry of the attempt runs at once', async () => {
    const ledger = await createKvNodeLedger({ connection, workerId: 'w' });
    const request = requestOf('flaky', 60_000);
    const failure = new TroupeError(ErrorCode.PROVIDER_ERROR, 'upstream 500');
    await expect(ledger.runOnce(request, async () => Promise.reject(failure), new AbortController().signal)).rejects.toBe(failure);
    const started = Date.now();
    const result = await ledger.runOnce(request, async () => resultOf(request, 'w'), new AbortController().signal);
    expect(result.output).toBe('from w');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('stores a result that finished while the store was unreachable past its lease, so a later request replays it', async () => {
    await using outage = await startNatsServer();
    const own = await connectNats({ servers: outage.url });
    try {
      const [late, other] = await Promise.all([
        createKvNodeLedger({ connection: own, workerId: 'late', lateStoreMs: 20_000 }),
        createKvNodeLedger({ connection: own, workerId: 'other' }),
      ]);
      const request = requestOf('outage', 100); // lease = 100 ms + 1 s margin
      let executions = 0;
      const answered = await late.runOnce(
        request,
        async () => {
          executions += 1;
          await outage.kill('SIGKILL'); // the store goes away while the model call finishes
          return resultOf(request, 'late');
        },
        new AbortController().signal,
      );
      expect(answered.worker).toBe('late'); // answered once the lease ran out, not stuck
      await sleep(500);
      await outage.restart();
      // The background store lands once JetStream is back (it recovers its streams first).
      const landed = Date.now() + 15_000;
      for (;;) {
        const entry = await listNodeAttempts(own, { timeoutMs: 2_000 })
          .then((attempts) => attempts.find((attempt) => attempt.nodeId === 'outage'))
          .catch(() => undefined);
        if (entry?.state === 'done' || Date.now() > landed) break;
        await sleep(200);
      }
      // A resumed planner re-sends the attempt: the late result is replayed, not re-run.
      const replayed = await other.runOnce(request, async () => ((executions += 1), resultOf(request, 'other')), new AbortController().signal);
      expect(replayed.worker).toBe('late');
      expect(executions).toBe(1);
      const stored = (await listNodeAttempts(own)).find((attempt) => attempt.nodeId === 'outage');
      expect(stored).toMatchObject({ state: 'done', worker: 'late', executions: 1, starts: 1 });
    } finally {
      await own.close();
    }
  }, 30_000);
});
