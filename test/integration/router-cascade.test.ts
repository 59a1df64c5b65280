// Cascades with a consensus gate, and a router shared through NATS KV, over a real nats-server:
// replay models answer from recorded rows; planner, worker and judge each have their own connection.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { createConsensusCheck } from '@troupe/checks';
import { createTroupeClient } from '@troupe/client';
import { subjects, type TaskResult } from '@troupe/protocol';
import { createReplayModel, loadRecordedRows, REPLAY_PRICING } from '@troupe/replay';
import { createTroupe, hostPlanner, syncRouter, type RouterSync, type Troupe } from '@troupe/runtime';
import { connectNats, encodeJson, type TroupeService } from '@troupe/transport';
import { startNatsServer, type NatsServer } from '@troupe/testing';

const COST = { small: 0.0001, peer: 0.0002, big: 0.005 } as const;
const rows = [
  { id: 'agree', prompt: 'Q1: A or B?', responses: { small: 'A', peer: 'a.', big: 'B' } },
  { id: 'disagree', prompt: 'Q2: A or B?', responses: { small: 'A', peer: 'B', big: 'B' } },
].map((row) => ({ ...row, models: Object.fromEntries(Object.entries(COST).map(([model, cost]) => [model, { score: 1, cost_usd: cost }])) }));
const replayModels = Object.keys(COST).map((id) => ({ id, provider: 'replay' as const, model: id, pricing: { ...REPLAY_PRICING } }));
const cascade = [{ model: 'small', gate: { checks: ['consensus'], consensusModels: ['peer'] } }, { model: 'big' }];

describe('cascades and the shared router over real NATS', () => {
  let server: NatsServer;
  let rowsFile: string;
  const connections: NatsConnection[] = [];
  const stoppable: Array<{ stop(): Promise<void> }> = [];
  let back: Troupe;
  let client: ReturnType<typeof createTroupeClient>;
  const connect = async () => {
    const connection = await connectNats({ servers: server.url });
    connections.push(connection);
    return connection;
  };

  beforeAll(async () => {
    server = await startNatsServer();
    rowsFile = join(mkdtempSync(join(tmpdir(), 'troupe-cascade-')), 'rows.jsonl');
    writeFileSync(rowsFile, rows.map((row) => JSON.stringify(row)).join('\n'));
    const models = { models: [...replayModels.map((model) => ({ ...model, path: rowsFile })), { id: 'cheap', provider: 'echo' as const, pricing: { inputPerMTok: 0.1, outputPerMTok: 0.1 }, qualityPrior: 0.8 }, { id: 'pricey', provider: 'echo' as const, pricing: { inputPerMTok: 10, outputPerMTok: 30 }, qualityPrior: 0.8 }] };
    back = await createTroupe({
      connection: await connect(),
      models,
      modelFactories: { replay: (config) => createReplayModel({ modelId: config.id, recordedModel: config.model ?? config.id, book: loadRecordedRows(config.path ?? '') }) },
      roles: ['worker', 'judge'],
      skills: ['qa'],
      checks: [createConsensusCheck()],
    });
    client = createTroupeClient({ connection: await connect(), timeoutMs: 15_000 });
  }, 60_000);

  afterAll(async () => {
    for (const item of stoppable.reverse()) await item.stop().catch(() => undefined);
    await back?.stop();
    for (const connection of connections) await connection.drain().catch(() => undefined);
    await server?.stop();
  });

  const planner = async (sync?: RouterSync) => {
    const connection = await connect();
    const service: TroupeService = await hostPlanner({ connection, pipelines: [], ...(sync ? { chooseModel: sync.chooseModel } : {}) });
    await connection.flush(); // its subscriptions reach the server before the client asks
    stoppable.push(service);
    return service;
  };
  const ask = (prompt: string, node: Record<string, unknown>) =>
    client.run({ plan: { name: 'one', nodes: [{ id: 'answer', skill: 'qa', ...node }] }, input: prompt }) as Promise<TaskResult>;

  let plain: TroupeService | undefined;
  it('accepts the cheap answer when a different cheap model agrees, charging both calls', async () => {
    plain = await planner();
    const result = await ask('Q1: A or B?', { cascade });
    expect(result.status).toBe('completed');
    expect(result.output).toBe('A');
    expect(result.nodes[0]?.model).toBe('small');
    expect(result.nodes[0]?.calls?.map((call) => [call.model, call.role, call.decision])).toEqual([
      ['small', 'answer', 'pass'],
      ['peer', 'consensus', undefined],
    ]);
    expect(result.costUsd).toBeCloseTo(COST.small + COST.peer, 9);
    expect(result.nodes[0]?.verdict?.checks[0]).toMatchObject({ name: 'consensus', passed: true });
  });

  it('escalates up the cascade when the consensus gate fails; every call is charged', async () => {
    const result = await ask('Q2: A or B?', { cascade });
    expect(result.status).toBe('completed');
    expect(result.output).toBe('B');
    expect(result.nodes[0]?.model).toBe('big');
    expect(result.nodes[0]?.calls?.map((call) => [call.model, call.step, call.decision])).toEqual([
      ['small', 0, 'reroute'],
      ['peer', 0, undefined],
      ['big', 1, undefined],
    ]);
    expect(result.costUsd).toBeCloseTo(COST.small + COST.peer + COST.big, 9);
  });

  it('keeps routing from what it learned after the planner is killed and restarted, and replicas share the deployed router', async () => {
    const registry = { models: [{ id: 'cheap', provider: 'echo' as const, pricing: { inputPerMTok: 0.1, outputPerMTok: 0.1 }, qualityPrior: 0.8 }, { id: 'pricey', provider: 'echo' as const, pricing: { inputPerMTok: 10, outputPerMTok: 30 }, qualityPrior: 0.8 }] };
    const { RegistryConfig } = await import('@troupe/models');
    const models = RegistryConfig.parse(registry).models;
    await plain?.stop(); // only routed planners from here on
    const first = await syncRouter({ connection: await connect(), models });
    const firstPlanner = await planner(first);
    const before = await ask('summarise this', {});
    expect(before.status, JSON.stringify(before.error)).toBe('completed');
    expect(before.nodes[0]?.model).toBe('cheap');

    // The judge's verdict feed says the cheap model keeps failing this skill: the learners fold it into KV.
    const feed = await connect();
    for (let index = 0; index < 40; index += 1) {
      feed.publish(subjects.verdictFeed, encodeJson({ taskId: `t${index}`, nodeId: 'answer', attempt: 1, decision: 'fail', score: 0, reasons: ['wrong'], checks: [], tenant: 'default', skill: 'qa', model: 'cheap' }));
    }
    await feed.flush();
    await first.waitForSamples(40, 10_000);
    expect((await ask('summarise this', {})).nodes[0]?.model).toBe('pricey');

    // Kill the planner: its process state is gone; only NATS KV remembers.
    await firstPlanner.stop();
    await first.stop();
    const restarted = await syncRouter({ connection: await connect(), models, learn: false });
    stoppable.push(restarted);
    await planner(restarted);
    expect(restarted.version()).toBe(first.version());
    // 40 fed verdicts plus the judge's real verdict on the first task.
    const learned = (await restarted.store.read())?.learned.qa?.cheap;
    expect(learned?.samples).toBe(41);
    expect(learned?.meanScore).toBeLessThan(0.05);
    expect((await ask('summarise this', {})).nodes[0]?.model).toBe('pricey');

    // Two replicas route from the same deployed router: a deploy reaches both through the watch.
    const second = await syncRouter({ connection: await connect(), models, learn: false });
    stoppable.push(second);
    const fresh = (await import('@troupe/router')).createRouter({ models }).toJSON() as unknown as Record<string, unknown>;
    const cascades = { groups: { qa: [{ model: 'cheap', consensusWith: 'pricey' }, { model: 'pricey' }] }, costWeight: 1, costShare: 0.2 };
    const deployed = await second.store.deploy({ kind: 'troupe.router-artifact', trainedAt: new Date().toISOString(), data: 'test', router: fresh, cascades });
    await Promise.all([restarted.waitForVersion(deployed.version), second.waitForVersion(deployed.version)]);
    expect(restarted.version()).toBe(second.version());
    const choose = (sync: RouterSync) => sync.chooseModel({ task: { id: 'x', tenant: 'default', input: 'summarise this', quality: 'balanced', metadata: {} } as never, node: { id: 'answer', skill: 'qa' } as never, attempt: 1, excludeModels: [], servedModels: new Set(['cheap', 'pricey']) });
    // The deployed router has learned nothing: both replicas are back on the cheap model.
    expect(choose(restarted)).toBe('cheap');
    expect(choose(second)).toBe('cheap');
    // Both serve the deployed policy's cascade for the skill, as wire cascades in registry ids.
    const expected = [{ model: 'cheap', gate: { checks: ['consensus'], consensusModels: ['pricey'] } }, { model: 'pricey' }];
    expect(restarted.cascadeFor({ id: 'answer', skill: 'qa' } as never)).toEqual(expected);
    expect(second.cascadeFor({ id: 'answer', skill: 'qa' } as never)).toEqual(expected);
    expect(second.cascadeFor({ id: 'answer', skill: 'other' } as never)).toBeUndefined();
  }, 60_000);
});
