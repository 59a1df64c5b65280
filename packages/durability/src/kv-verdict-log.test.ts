import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { subjects, type VerdictFeedEntry } from '@troupe/protocol';
import { connectNats } from '@troupe/transport';
import { startNatsServer, type NatsServer } from '@troupe/testing';
import { createKvVerdictLog, recordVerdictFeed, VERDICTS_BUCKET } from './kv-verdict-log.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const verdict = (taskId: string, nodeId: string, attempt: number, decision: 'pass' | 'retry'): VerdictFeedEntry =>
  ({ taskId, nodeId, attempt, decision, reasons: [], checks: [], tenant: 'acme', skill: 'extract', model: 'echo' });

describe('verdict log over a real nats-server', () => {
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

  it('persists the verdicts judges publish on the feed, once per node attempt, and lists them by task', async () => {
    const log = await createKvVerdictLog({ connection, retentionMs: 3_600_000 });
    // Two recorders (two judge replicas) share a queue group: each verdict is written once.
    const recorders = [recordVerdictFeed(connection, log), recordVerdictFeed(connection, log)];
    await connection.flush();
    const encoder = new TextEncoder();
    for (const entry of [verdict('t1', 'a', 1, 'retry'), verdict('t1', 'a', 2, 'pass'), verdict('t1', 'b', 1, 'pass'), verdict('t2', 'a', 1, 'pass')]) {
      connection.publish(subjects.verdictFeed, encoder.encode(JSON.stringify(entry)));
    }
    connection.publish(subjects.verdictFeed, encoder.encode('{"not":"a verdict"}'));
    let listed: VerdictFeedEntry[] = [];
    for (let tries = 0; tries < 50 && listed.length < 3; tries += 1) {
      await sleep(100);
      listed = await log.listByTask('acme', 't1');
    }
    expect(listed.map((entry) => `${entry.nodeId}#${entry.attempt}:${entry.decision}`)).toEqual(['a#1:retry', 'a#2:pass', 'b#1:pass']);
    expect((await log.listByTask('acme', 't2')).map((entry) => entry.nodeId)).toEqual(['a']);
    expect(await log.listByTask('globex', 't1')).toEqual([]);
    for (const recorder of recorders) recorder.unsubscribe();
  });

  it('keeps verdicts for the retention period it is given (the bucket TTL)', async () => {
    await createKvVerdictLog({ connection, bucket: 'verdicts_retention', retentionMs: 2 * 86_400_000 });
    const info = await (await jetstreamManager(connection)).streams.info(`KV_verdicts_retention`);
    expect(info.config.max_age).toBe(2 * 86_400_000 * 1_000_000);
    expect(VERDICTS_BUCKET).toBe('troupe_verdicts');
  });
});
