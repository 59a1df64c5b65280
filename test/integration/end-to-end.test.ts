import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { launchService, type LaunchedService } from '@troupe/cli';
import { createTroupeClient } from '@troupe/client';
import { Header, TaskResult, type ProgressEvent } from '@troupe/protocol';
import { connectNats } from '@troupe/transport';
import { startNatsServer, type NatsServer } from '@troupe/testing';
import { modelsConfig, modelsDirectory, repoRoot } from './paths.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

describe('one task end to end: planner, worker and judge as separate processes, a real GGUF model', () => {
  let server: NatsServer;
  let connection: NatsConnection;
  let services: LaunchedService[] = [];
  const traces = join(mkdtempSync(join(tmpdir(), 'troupe-traces-')), 'spans.jsonl');

  beforeAll(async () => {
    server = await startNatsServer();
    const env = {
      TROUPE_NATS_URL: server.url,
      TROUPE_MODELS_DIR: modelsDirectory(),
      TROUPE_MODELS_CONFIG: modelsConfig,
      TROUPE_DEFAULT_MODEL: 'stories260k',
      TROUPE_TRACES: `file:${traces}`,
      TROUPE_MAX_OUTPUT_TOKENS: '96',
    };
    services = await Promise.all([launchService('judge', env), launchService('worker', env), launchService('planner', env)]);
    connection = await connectNats({ servers: server.url });
  }, 60_000);

  afterAll(async () => {
    await connection?.drain();
    const codes = await Promise.all(services.map((service) => service.stop('SIGTERM')));
    expect(codes).toEqual([0, 0, 0]); // graceful drain, clean exit
    await server?.stop();
  });

  it('runs the demo pipeline on stories260K with schema-valid output, per-node usage and one trace', async () => {
    const client = createTroupeClient({ connection });
    const { events, result } = client.runWithProgress({ pipeline: 'extract-logic-synthesis', input: 'Ada lives in Paris and wants a refund.' });
    const seen: ProgressEvent[] = [];
    for await (const event of events) seen.push(event);
    const outcome = await result;
    expect(outcome.status, JSON.stringify(outcome.error)).toBe('completed');
    for (const node of outcome.nodes) {
      expect(node.model).toBe('stories260k');
      expect(node.provider).toBe('llama-cpp');
      expect(node.usage?.outputTokens).toBeGreaterThan(0);
      expect(node.verdict?.decision).toBe('pass');
    }
    expect(['request', 'complaint', 'story']).toContain((outcome.nodes[1]?.output as { kind: string }).kind);
    expect(typeof (outcome.output as { answer: string }).answer).toBe('string');
    expect(seen.filter((event) => event.type === 'node.completed')).toHaveLength(3);
    // The worker loaded the GGUF for this first task and reported how far along it was.
    expect(seen.filter((event) => event.type === 'model.loading').at(-1)).toMatchObject({ model: 'stories260k', progress: 1 });

    // One task is one trace across the three processes.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const spans = readFileSync(traces, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { name: string; traceId: string; service: string });
    const run = spans.find((span) => span.name === 'troupe.planner.run');
    expect(run).toBeDefined();
    const inTrace = spans.filter((span) => span.traceId === run!.traceId);
    expect(new Set(inTrace.map((span) => span.service))).toEqual(new Set(['troupe-planner', 'troupe-worker', 'troupe-judge']));
    const workerSpans = inTrace.filter((span) => span.name === 'troupe.worker.run') as unknown as Array<{ attributes: Record<string, unknown> }>;
    expect(workerSpans).toHaveLength(3);
    expect(workerSpans[0]?.attributes).toMatchObject({ 'gen_ai.request.model': 'stories260k', 'gen_ai.provider.name': 'llama-cpp' });
    expect(workerSpans[0]?.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
  });

  it('accepts a raw JSON task with no SDK, and its reply matches the committed JSON Schema', async () => {
    const schemaDirectory = `${repoRoot}packages/protocol/schema/`;
    const ajv = new Ajv2020({ strict: false });
    const validateTask = ajv.compile(JSON.parse(readFileSync(`${schemaDirectory}task-submission.schema.json`, 'utf8')));
    const validateResult = ajv.compile(JSON.parse(readFileSync(`${schemaDirectory}task-result.schema.json`, 'utf8')));
    const task = {
      plan: { name: 'inline', nodes: [{ id: 'label', skill: 'classify', outputSchema: { type: 'object', properties: { label: { enum: ['yes', 'no'] } }, required: ['label'] } }] },
      input: 'Is the sky blue?',
    };
    expect(validateTask(task)).toBe(true);
    const reply = await connection.request('troupe.v1.default.tasks.run', encoder.encode(JSON.stringify(task)), { timeout: 30_000 });
    const body = JSON.parse(decoder.decode(reply.data)) as unknown;
    expect(validateResult(body), JSON.stringify(validateResult.errors)).toBe(true);
    expect(TaskResult.parse(body).status).toBe('completed');
  });

  it('answers bad input with typed error replies and keeps every service running', async () => {
    const send = async (payload: Uint8Array) => {
      const reply = await connection.request('troupe.v1.default.tasks.run', payload, { timeout: 5_000 });
      return { status: reply.headers?.get(Header.serviceErrorCode), body: JSON.parse(decoder.decode(reply.data)) as { code: string; message: string } };
    };
    expect((await send(encoder.encode('{"pipeline": '))).body.code).toBe('BAD_REQUEST');
    expect((await send(encoder.encode(JSON.stringify({ pipeline: 42, input: 1 })))).body.code).toBe('INVALID_TASK');
    const oversized = await send(encoder.encode(JSON.stringify({ pipeline: 'extract-logic-synthesis', input: 'x'.repeat(600_000) })));
    expect(oversized).toMatchObject({ status: '413', body: { code: 'PAYLOAD_TOO_LARGE' } });
    const unknownSkill = await send(encoder.encode(JSON.stringify({ plan: { name: 'p', nodes: [{ id: 'a', skill: 'juggle' }] }, input: 1 })));
    expect(unknownSkill.body).toMatchObject({ code: 'UNKNOWN_SKILL' });
    expect(unknownSkill.body.message).toContain('juggle');
    for (const service of services) expect(service.process.exitCode).toBeNull();
  });
});
