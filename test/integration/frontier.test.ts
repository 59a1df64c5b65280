import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Svcm } from '@nats-io/services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { launchService, type LaunchedService } from '@troupe/cli';
import { createTroupeClient } from '@troupe/client';
import { costOf } from '@troupe/models';
import { connectNats } from '@troupe/transport';
import { startFakeAnthropic, startFakeOpenAI, startNatsServer, type FakeProviderServer, type NatsServer } from '@troupe/testing';

const PLANTED = { openai: 'sk-PLANTED-openai-9f8e7d6c5b4a', anthropic: 'sk-ant-PLANTED-anthropic-1a2b3c4d' };
const claudePricing = { inputPerMTok: 3, outputPerMTok: 15 };

describe('frontier escalation through worker processes over NATS', () => {
  let server: NatsServer;
  let connection: NatsConnection;
  let openai: FakeProviderServer;
  let anthropic: FakeProviderServer;
  let services: LaunchedService[] = [];

  beforeAll(async () => {
    server = await startNatsServer();
    openai = await startFakeOpenAI({ apiKey: PLANTED.openai });
    anthropic = await startFakeAnthropic({ apiKey: PLANTED.anthropic });
    // OpenAI is down for the whole test: every call answers 500.
    openai.enqueue(...Array.from({ length: 500 }, () => ({ type: 'error' as const, error: 'server' as const })));
    const directory = mkdtempSync(join(tmpdir(), 'troupe-frontier-'));
    const registry = join(directory, 'models.json');
    writeFileSync(
      registry,
      JSON.stringify({
        referenceModel: 'gpt',
        models: [
          { id: 'gpt', provider: 'openai', model: 'gpt-4o', baseUrl: openai.url, apiKeyEnv: 'TEST_OPENAI_KEY', pricing: { inputPerMTok: 10, outputPerMTok: 30 }, fallbacks: ['claude'] },
          { id: 'claude', provider: 'anthropic', model: 'claude-sonnet-4', baseUrl: anthropic.url, apiKeyEnv: 'TEST_ANTHROPIC_KEY', pricing: claudePricing },
        ],
      }),
    );
    const env = {
      TROUPE_NATS_URL: server.url,
      TROUPE_MODELS_CONFIG: registry,
      TEST_OPENAI_KEY: PLANTED.openai,
      TEST_ANTHROPIC_KEY: PLANTED.anthropic,
      TROUPE_LOG_LEVEL: 'debug',
    };
    services = await Promise.all([
      launchService('judge', env),
      launchService('worker', { ...env, TROUPE_WORKER_ID: 'worker-a' }),
      launchService('worker', { ...env, TROUPE_WORKER_ID: 'worker-b' }),
      launchService('planner', env),
    ]);
    connection = await connectNats({ servers: server.url });
  }, 60_000);

  afterAll(async () => {
    await connection?.drain();
    await Promise.all(services.map((service) => service.stop()));
    await openai?.close();
    await anthropic?.close();
    await server?.stop();
  });

  it('falls back from a failing provider, charges the model that answered, and opens one breaker for every replica', async () => {
    const client = createTroupeClient({ connection });
    const plan = { name: 'escalate', nodes: [{ id: 'answer', skill: 'generate', model: 'gpt', maxAttempts: 1 }] };
    const openaiCalls: number[] = [];
    for (let index = 0; index < 12; index += 1) {
      const result = await client.run({ plan, input: `ticket ${index}` });
      expect(result.status, JSON.stringify(result.error)).toBe('completed');
      const node = result.nodes[0]!;
      expect(node.model).toBe('claude');
      expect(node.costUsd).toBeCloseTo(costOf(node.usage!, claudePricing), 12);
      expect(result.costUsd).toBeGreaterThan(0);
      expect(result.savingsUsd).toBeGreaterThan(0); // the same tokens on the reference model cost more
      openaiCalls.push(openai.requests.length);
    }
    // Once the breaker opened, no replica called OpenAI again.
    expect(openaiCalls.at(-1)).toBe(openaiCalls[5]);
    expect(openaiCalls.at(-1)).toBeGreaterThanOrEqual(5);

    // Both worker processes served tasks, so the open breaker was shared between them.
    const served = new Map<string, number>();
    for await (const stats of await new Svcm(connection).client().stats('troupe-worker')) {
      const calls = (stats.endpoints?.find((endpoint) => endpoint.name === 'generate')?.data as { calls?: number } | undefined)?.calls ?? 0;
      served.set(stats.id, calls);
    }
    expect(served.size).toBe(2);
    expect([...served.values()].every((calls) => calls > 0)).toBe(true);

    // Keys never reach logs.
    for (const service of services) {
      expect(service.logs()).not.toContain(PLANTED.openai);
      expect(service.logs()).not.toContain(PLANTED.anthropic);
    }
  });
});
