// A short `npm run fuzz`: 500 hostile messages on every subject the planner, worker and judge
// processes serve. Every message with a reply subject gets a typed error reply, none goes
// unanswered, no service dies, and real tasks still run afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { createTroupeClient } from '@troupe/client';
import { ErrorReply, Header, subjects } from '@troupe/protocol';
import { connectNats } from '@troupe/transport';
import { startEchoCluster, type EchoCluster } from '../bench/echo-cluster.js';
import { FUZZ_SKILLS, FUZZ_TENANT, generateFuzzCases } from '../bench/fuzz-cases.js';
import { runFuzz } from '../bench/fuzz-harness.js';

describe('fuzzing the services as separate processes', () => {
  let cluster: EchoCluster;
  let connection: NatsConnection;

  beforeAll(async () => {
    cluster = await startEchoCluster();
    connection = await connectNats({ servers: cluster.server.url });
  }, 60_000);

  afterAll(async () => {
    await connection?.drain();
    const codes = await cluster?.stop();
    expect(codes).toEqual([0, 0, 0]); // still healthy enough to drain and exit cleanly
  });

  it('generates the same cases for the same seed, across every subject and hostile family', () => {
    const cases = generateFuzzCases(500, 7);
    expect(generateFuzzCases(500, 7).map((fuzzCase) => [fuzzCase.kind, fuzzCase.subject, fuzzCase.payload.length])).toEqual(
      cases.map((fuzzCase) => [fuzzCase.kind, fuzzCase.subject, fuzzCase.payload.length]),
    );
    const targeted = new Set(cases.map((fuzzCase) => fuzzCase.subject));
    for (const subject of [subjects.taskRun(FUZZ_TENANT), subjects.taskSubmit(FUZZ_TENANT), subjects.taskResult(FUZZ_TENANT), subjects.judgeVerify, ...FUZZ_SKILLS.map((skill) => subjects.workerRun(skill))]) {
      expect(targeted).toContain(subject);
    }
    const families = new Set(cases.map((fuzzCase) => fuzzCase.kind.split(/[-+]/)[0]));
    for (const family of ['random', 'invalid', 'truncated', 'deep', 'huge', 'oversized', 'wrong', 'proto', 'empty', 'json', 'nasty']) expect(families).toContain(family);
    expect(cases.some((fuzzCase) => fuzzCase.noReply)).toBe(true);
    expect(cases.some((fuzzCase) => fuzzCase.rawHeader)).toBe(true);
  });

  it('answers 500 hostile messages with typed errors only, without a timeout or a crash', async () => {
    const outcome = await runFuzz({ connection, port: cluster.server.port, cases: generateFuzzCases(500, 7), timeoutMs: 10_000 });
    expect(outcome.failures).toEqual([]);
    expect(outcome.messages).toBe(500);
    expect(outcome.timeouts).toBe(0);
    expect(outcome.typed_error_replies).toBe(outcome.with_reply);
    expect(outcome.typed_error_replies_pct).toBe(100);
    expect(outcome.status_mismatches).toBe(0);
    expect(outcome.largest_error_reply_bytes).toBeLessThan(4_096);
    expect(cluster.unexpectedExits()).toEqual([]);
  });

  it('bug: a valid task whose input nested 10,000 deep could never be stored, so its request hung; now BAD_REQUEST at once', async () => {
    const deepTask = `{"pipeline":"noop","input":${'['.repeat(10_000)}1${']'.repeat(10_000)}}`;
    const reply = await connection.request(subjects.taskRun(FUZZ_TENANT), new TextEncoder().encode(deepTask), { timeout: 10_000 });
    expect(reply.headers?.get(Header.serviceErrorCode)).toBe('400');
    expect(ErrorReply.parse(JSON.parse(new TextDecoder().decode(reply.data))).code).toBe('BAD_REQUEST');
  });

  it('still runs real tasks afterwards', async () => {
    const client = createTroupeClient({ connection, tenant: FUZZ_TENANT, timeoutMs: 30_000 });
    expect((await client.run({ pipeline: 'noop-chain', input: 'after the fuzz' })).status).toBe('completed');
    expect((await client.run({ pipeline: 'noop', input: { nested: [[[['fine']]]] } })).status).toBe('completed');
    expect(cluster.unexpectedExits()).toEqual([]);
  });
});
