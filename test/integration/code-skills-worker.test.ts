import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { launchService, type LaunchedService } from '@troupe/cli';
import { createTroupeClient } from '@troupe/client';
import { ErrorCode } from '@troupe/protocol';
import { SkillDirectory, createTroupe, type Troupe } from '@troupe/runtime';
import { connectNats } from '@troupe/transport';
import { startFakeOpenAI, startNatsServer, type FakeProviderServer, type NatsServer } from '@troupe/testing';

const skillsModule = fileURLToPath(new URL('./fixtures/code-skills-module.ts', import.meta.url));
const foreignWorker = fileURLToPath(new URL('./fixtures/foreign-worker.mjs', import.meta.url));
const pythonWorker = fileURLToPath(new URL('./fixtures/foreign-worker.py', import.meta.url));
const wordsSchema = { type: 'object', properties: { words: { type: 'integer', minimum: 1 } }, required: ['words'] };

/** Starts a foreign worker as its own process: plain Node (no tsx, no Troupe package) or Python with no NATS library. */
async function startForeignWorker(natsUrl: string, command: readonly string[] = [process.execPath, foreignWorker]): Promise<ChildProcess> {
  const child = spawn(command[0]!, command.slice(1), { env: { PATH: process.env.PATH, NATS_URL: natsUrl }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`foreign worker did not start: ${stderr}`)), 15_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('foreign worker ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`foreign worker exited with ${code}: ${stderr}`)));
  });
  return child;
}

describe('code skills in the worker service and a foreign-language worker, separate processes over NATS', () => {
  let server: NatsServer;
  let connection: NatsConnection;
  let worker: LaunchedService;
  let foreign: ChildProcess;
  let python: ChildProcess;
  let troupe: Troupe;
  let openai: FakeProviderServer;

  beforeAll(async () => {
    server = await startNatsServer();
    openai = await startFakeOpenAI();
    const directory = mkdtempSync(join(tmpdir(), 'troupe-code-skills-'));
    const registry = join(directory, 'models.json');
    writeFileSync(
      registry,
      JSON.stringify({
        models: [
          { id: 'echo-small', provider: 'echo', skills: ['generate'] },
          { id: 'priced-echo', provider: 'echo', pricing: { inputPerMTok: 1, outputPerMTok: 2 } },
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
      }),
    );
    [worker, foreign] = await Promise.all([
      launchService(
        'worker',
        {
          TROUPE_NATS_URL: server.url,
          TROUPE_MODELS_CONFIG: registry,
          TROUPE_SKILLS: 'generate,expert',
          TROUPE_SKILLS_MODULE: skillsModule,
          TROUPE_SKILL_TOOLS: 'expert:refund-rule',
          FAKE_OPENAI_KEY: openai.apiKey,
          TROUPE_DEFAULT_MODEL: 'echo-small',
          TROUPE_WORKER_ID: 'code-worker-1',
        },
        // The worker transpiles its whole graph with tsx on start: slow when the suite shares 2 cores.
        { readyTimeoutMs: 90_000 },
      ),
      startForeignWorker(server.url),
    ]);
    python = await startForeignWorker(server.url, ['python3', pythonWorker]);
    connection = await connectNats({ servers: server.url });
    // Planner and judge in this process; every skill lives in another process.
    troupe = await createTroupe({ connection, roles: ['planner', 'judge'] });
  }, 120_000);

  afterAll(async () => {
    await troupe?.stop();
    await connection?.drain();
    foreign?.kill('SIGTERM');
    python?.kill('SIGTERM');
    await worker?.stop();
    await openai?.close();
    await server?.stop();
  });

  it('serves code skills from TROUPE_SKILLS_MODULE in the worker service: judged, cost 0, measured', async () => {
    const client = createTroupeClient({ connection });
    const result = await client.run({
      plan: {
        name: 'rule',
        nodes: [
          { id: 'rule', skill: 'refund-rule' },
          { id: 'answer', skill: 'generate', dependsOn: ['rule'] },
        ],
      },
      input: { amountUsd: 40, daysSincePurchase: 2 },
    });
    expect(result.status, JSON.stringify(result.error)).toBe('completed');
    const rule = result.nodes.find((node) => node.nodeId === 'rule')!;
    expect(rule).toMatchObject({ model: 'code:refund-rule', costUsd: 0, output: { refundable: true } });
    expect(rule.verdict?.decision).toBe('pass');
    expect(rule.metrics?.latencyMs).toBeGreaterThan(0);
    const hybrid = await client.run({
      plan: { name: 'hybrid', nodes: [{ id: 'sum', skill: 'summarise-with-model' }] },
      input: { text: 'two words' },
    });
    expect(hybrid.nodes[0]?.costUsd).toBeGreaterThan(0);
  });

  it('offers a code skill as a tool to a model skill of the worker service (TROUPE_SKILL_TOOLS), budgets and all', async () => {
    openai.enqueue(
      {
        type: 'reply',
        text: JSON.stringify({ tool_calls: [{ name: 'refund-rule', arguments: { amountUsd: 700, daysSincePurchase: 3 } }], answer: '' }),
        usage: { inputTokens: 100, outputTokens: 10 },
      },
      {
        type: 'reply',
        text: JSON.stringify({ tool_calls: [], answer: 'A manager has to approve a 700 USD refund.' }),
        usage: { inputTokens: 150, outputTokens: 12 },
      },
    );
    const result = await createTroupeClient({ connection }).run({
      plan: { name: 'tooled', nodes: [{ id: 'answer', skill: 'expert', model: 'gpt', maxAttempts: 1 }] },
      input: 'Refund my 700 USD order from 3 days ago?',
    });
    expect(result.status, JSON.stringify(result.error)).toBe('completed');
    expect(result.nodes[0]).toMatchObject({ output: 'A manager has to approve a 700 USD refund.', usage: { inputTokens: 250, outputTokens: 22 } });
    expect(result.nodes[0]?.costUsd).toBeCloseTo((250 * 0.15 + 22 * 0.6) / 1e6, 12);
    expect(JSON.stringify(openai.requests.at(-1)!.body)).toContain('needs a manager');
  });

  it('fails a throwing code skill with NODE_FAILED and the worker process stays up', async () => {
    const client = createTroupeClient({ connection });
    const failed = await client.run({ plan: { name: 'boom', nodes: [{ id: 'boom', skill: 'explode', maxAttempts: 1 }] }, input: 'x' });
    expect(failed.nodes[0]?.error).toMatchObject({ code: ErrorCode.NODE_FAILED, message: expect.stringContaining('the ledger is closed') });
    expect(worker.process.exitCode).toBeNull();
    const after = await client.run({
      plan: { name: 'rule', nodes: [{ id: 'rule', skill: 'refund-rule' }] },
      input: { amountUsd: 40, daysSincePurchase: 90 },
    });
    expect(after.nodes[0]?.output).toMatchObject({ refundable: false });
  });

  it('discovers a worker without Troupe packages from endpoint subjects, dispatches to it and judges its answer', async () => {
    const known = await new SkillDirectory(connection, 0).known();
    expect([...known]).toEqual(
      expect.arrayContaining(['word-count', 'garbage-out', 'wrong-shape', 'never-answers', 'refuses', 'refund-rule', 'generate']),
    );
    const result = await createTroupeClient({ connection }).run({
      plan: { name: 'count', nodes: [{ id: 'count', skill: 'word-count', outputSchema: wordsSchema }] },
      input: 'five words in this ticket',
    });
    expect(result.status, JSON.stringify(result.error)).toBe('completed');
    expect(result.nodes[0]).toMatchObject({ model: 'foreign-js', provider: 'foreign', output: { words: 5 }, costUsd: 0 });
    expect(result.nodes[0]?.verdict?.decision).toBe('pass');
  });

  it('discovers a Python worker speaking the raw NATS protocol (no NATS library, no endpoint metadata), judges it and maps its error replies', async () => {
    const client = createTroupeClient({ connection });
    const reversed = await client.run({
      plan: {
        name: 'py',
        nodes: [
          { id: 'rev', skill: 'py-reverse', outputSchema: { type: 'object', properties: { reversed: { type: 'string' } }, required: ['reversed'] } },
        ],
      },
      input: 'troupe',
    });
    expect(reversed.status, JSON.stringify(reversed.error)).toBe('completed');
    expect(reversed.nodes[0]).toMatchObject({ model: 'python-code', output: { reversed: 'epuort' } });
    expect(reversed.nodes[0]?.verdict?.decision).toBe('pass');
    const refused = await client.run({ plan: { name: 'py-no', nodes: [{ id: 'no', skill: 'py-fails', maxAttempts: 1 }] }, input: 'x' });
    expect(refused.nodes[0]?.error).toMatchObject({ code: ErrorCode.NODE_FAILED, message: 'python says no' });
    expect(python.exitCode).toBeNull();
  });

  it('fails cleanly when the foreign worker answers garbage, an error, or nothing, and keeps running tasks', async () => {
    const client = createTroupeClient({ connection });
    const run = (skill: string) => client.run({ plan: { name: skill, nodes: [{ id: 'n', skill, maxAttempts: 1, timeoutMs: 500 }] }, input: 'x' });
    const [garbage, wrongShape, refused, silent] = await Promise.all([run('garbage-out'), run('wrong-shape'), run('refuses'), run('never-answers')]);
    expect(garbage.status).toBe('failed');
    expect(garbage.nodes[0]?.error).toMatchObject({ code: ErrorCode.UNAVAILABLE, message: expect.stringContaining('not valid JSON') });
    // JSON that is no WorkerResult fails the node (it once crashed the whole task).
    expect(wrongShape.status).toBe('failed');
    expect(wrongShape.nodes[0]?.error?.message).toContain('does not match its schema');
    expect(refused.nodes[0]?.error).toMatchObject({ code: ErrorCode.NOT_FOUND, message: expect.stringContaining('no such ledger') });
    expect(silent.status).toBe('failed');
    expect(silent.nodes[0]?.error?.code).toBe(ErrorCode.TIMEOUT);
    const after = await client.run({ plan: { name: 'count', nodes: [{ id: 'count', skill: 'word-count' }] }, input: 'still here' });
    expect(after.nodes[0]?.output).toEqual({ words: 2 });
  });
});
