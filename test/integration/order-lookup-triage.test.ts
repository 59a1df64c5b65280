import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { createFactualityCheck, createPiiCheck, createPolicyCheck } from '@troupe/checks';
import { createTroupeClient } from '@troupe/client';
import { supportTriageWithOrders } from '@troupe/pipelines';
import { ErrorCode, TroupeError, type SubtaskRequest } from '@troupe/protocol';
import { createOpenAIModel } from '@troupe/providers';
import { createTroupe, type Troupe } from '@troupe/runtime';
import { ORDERS_DATABASE_SETTING, createOrderLookupSkill, runCodeSkill, type OrderLookupSkill } from '@troupe/skills';
import { connectNats } from '@troupe/transport';
import { startFakeOpenAI, startNatsServer, type FakeProviderServer, type NatsServer } from '@troupe/testing';

// pg's index pulls in pg-pool, which resolves to ESM under vitest's `import` condition; the client is enough here.
const PgClient = createRequire(import.meta.url)('pg/lib/client.js') as typeof pg.Client;
const databaseUrl = process.env[ORDERS_DATABASE_SETTING] ?? 'postgresql://postgres@127.0.0.1:5432/test';
const schema = `troupe_orders_${randomBytes(4).toString('hex')}`;

const lookupRequest = (input: unknown): SubtaskRequest => ({
  taskId: 't1',
  tenant: 'default',
  nodeId: 'order-lookup',
  attempt: 1,
  skill: 'order-lookup',
  instructions: '',
  input,
  quality: 'balanced',
  timeoutMs: 5_000,
  feedback: [],
  stream: false,
});

describe('support triage with an order-lookup code skill on PostgreSQL, over a real nats-server', () => {
  let server: NatsServer;
  let connection: NatsConnection;
  let database: pg.Client;
  let openai: FakeProviderServer;
  let orderLookup: OrderLookupSkill;
  let troupe: Troupe;

  beforeAll(async () => {
    database = new PgClient({ connectionString: databaseUrl });
    await database.connect();
    await database.query(`CREATE SCHEMA ${schema}`);
    await database.query(`CREATE TABLE ${schema}.orders (order_id text PRIMARY KEY, status text NOT NULL, total_usd numeric(10,2), eta date)`);
    await database.query(`INSERT INTO ${schema}.orders VALUES ('A-1042', 'shipped', 129.99, '2026-12-04'), ('A-2001', 'processing', 42.50, NULL)`);
    server = await startNatsServer();
    openai = await startFakeOpenAI();
    connection = await connectNats({ servers: server.url });
    orderLookup = createOrderLookupSkill({ connectionString: databaseUrl, table: `${schema}.orders` });
    troupe = await createTroupe({
      connection,
      pipelines: [supportTriageWithOrders],
      codeSkills: [orderLookup],
      checks: [
        createPiiCheck(),
        createPolicyCheck({ forbidden: [{ pattern: 'as an AI language model', reason: 'no model disclaimers' }] }),
        createFactualityCheck(),
      ],
      models: {
        models: [
          // Whatever the classify node pins (a trained classifier, an LLM fallback), a template routes order tickets to the expert.
          { id: 'ticket-router', provider: 'template', skills: ['classify'], templates: { order: '{"category":"complex"}' } },
          { id: 'triage-classifier', provider: 'template', skills: ['classify'], templates: { order: '{"category":"complex"}' } },
          { id: 'smollm2-135m-instruct', provider: 'template', skills: ['classify'], templates: { order: '{"category":"complex"}' } },
          { id: 'echo-small', provider: 'echo', skills: ['verify', 'faq', 'generate'] },
          {
            id: 'gpt',
            provider: 'openai-compatible',
            model: 'gpt-4o-mini',
            baseUrl: openai.url,
            apiKeyEnv: 'FAKE_OPENAI_KEY',
            skills: ['expert'],
            pricing: { inputPerMTok: 0.15, outputPerMTok: 0.6 },
          },
        ],
      },
      modelFactories: { 'openai-compatible': (config) => createOpenAIModel(config, { FAKE_OPENAI_KEY: openai.apiKey }) },
    });
  }, 30_000);

  afterAll(async () => {
    await troupe?.stop();
    await orderLookup?.dispose();
    await connection?.drain();
    await openai?.close();
    await server?.stop();
    await database?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await database?.end();
  });

  it('looks the order up in PostgreSQL, answers from the facts, and the factuality check holds the answer to them', async () => {
    openai.enqueue(
      // Attempt 1 invents a total: the factuality check, reading the looked-up facts, fails it.
      { type: 'reply', text: JSON.stringify({ reply: 'Order A-1042 has shipped. Total 99.00 USD, arriving 2026-12-04.' }) },
      { type: 'reply', text: JSON.stringify({ reply: 'Order A-1042 has shipped. Total 129.99 USD, arriving 2026-12-04.' }) },
    );
    const result = await createTroupeClient({ connection }).run({
      pipeline: 'support-triage-orders',
      input: { text: 'Where is my order A-1042? It has been a week.' },
    });
    expect(result.status, JSON.stringify(result.error)).toBe('completed');
    const lookup = result.nodes.find((node) => node.nodeId === 'order-lookup')!;
    expect(lookup).toMatchObject({ status: 'succeeded', model: 'code:order-lookup', costUsd: 0 });
    expect(lookup.output).toEqual({ orderId: 'A-1042', found: true, status: 'shipped', totalUsd: 129.99, eta: '2026-12-04' });
    const answer = result.nodes.find((node) => node.nodeId === 'expert-answer')!;
    expect(answer.status).toBe('succeeded');
    expect(answer.attempts).toBe(2);
    expect(answer.output).toEqual({ reply: 'Order A-1042 has shipped. Total 129.99 USD, arriving 2026-12-04.' });
    expect(answer.verdict?.checks.find((check) => check.name === 'factuality')).toMatchObject({ passed: true });
    // The first attempt's request to the model carried the looked-up facts.
    const prompt = JSON.stringify(openai.requests.at(-2)!.body);
    expect(prompt).toContain('129.99');
    expect(prompt).toContain('shipped');
  });

  it('answers found: false for an order that is not in the database', async () => {
    const result = await runCodeSkill(orderLookup, lookupRequest({ task: { text: 'What about order Z-9999?' }, from: {} }));
    expect(result.output).toEqual({ orderId: 'Z-9999', found: false, status: null, totalUsd: null, eta: null });
    expect(result.costUsd).toBe(0);
  });

  it('fails with a typed error naming the setting when the database is not configured or unreachable', async () => {
    const unset = createOrderLookupSkill({ connectionString: undefined });
    const missing = await runCodeSkill(unset, lookupRequest({ task: { orderId: 'A-1042' } })).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(TroupeError);
    expect(missing).toMatchObject({ code: ErrorCode.CONFIG_INVALID });
    expect((missing as Error).message).toContain(ORDERS_DATABASE_SETTING);

    const closedPort = createOrderLookupSkill({ connectionString: 'postgresql://postgres:s3cret-pw@127.0.0.1:1/test', connectTimeoutMs: 500 });
    const unreachable = await runCodeSkill(closedPort, lookupRequest({ task: { orderId: 'A-1042' } })).catch((error: unknown) => error);
    expect(unreachable).toMatchObject({ code: ErrorCode.UNAVAILABLE });
    expect((unreachable as Error).message).toContain(ORDERS_DATABASE_SETTING);
    expect((unreachable as Error).message).not.toContain('s3cret-pw');
    await closedPort.dispose();
  });
});
