import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { launchService, type LaunchedService } from '@troupe/cli';
import { createTroupeClient } from '@troupe/client';
import { connectNats } from '@troupe/transport';
import { freePort, startNatsServer, type NatsServer } from '@troupe/testing';

// The real third-party reference server, over both transports.
const everything = createRequire(import.meta.url).resolve('@modelcontextprotocol/server-everything/dist/index.js');

async function startHttpEverything(): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [everything, 'streamableHttp'], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server-everything did not start')), 30_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return { url: `http://127.0.0.1:${port}/mcp`, process: child };
}

describe('workers call MCP tools (server-everything over stdio and streamable HTTP) in the tool loop', () => {
  let nats: NatsServer;
  let http: { url: string; process: ChildProcess };
  let services: LaunchedService[] = [];
  let connection: NatsConnection;
  let traces: string;

  beforeAll(async () => {
    nats = await startNatsServer();
    http = await startHttpEverything();
    const directory = mkdtempSync(join(tmpdir(), 'troupe-mcp-'));
    const registry = join(directory, 'models.json');
    // A scripted model (the template provider): it asks for get-sum, then answers from the tool's result.
    writeFileSync(
      registry,
      JSON.stringify({
        models: [
          { id: 'tooly', provider: 'template', templates: { 'add the numbers': '{"tool_calls":[{"name":"get-sum","arguments":{"a":2,"b":40}}],"answer":""}', 'tool results': '{"tool_calls":[],"answer":"the sum is 42"}' } },
        ],
      }),
    );
    traces = join(directory, 'spans.jsonl');
    const mcpConfig = join(directory, 'mcp.json');
    writeFileSync(
      mcpConfig,
      JSON.stringify({
        servers: [
          { name: 'everything', transport: 'stdio', command: process.execPath, args: [everything, 'stdio'] },
          { name: 'everything-http', transport: 'http', url: http.url },
        ],
        skills: { research: ['everything'], lookup: ['everything-http/get-sum'] },
        maxSteps: 3,
      }),
    );
    const env = {
      TROUPE_NATS_URL: nats.url,
      TROUPE_MODELS_CONFIG: registry,
      TROUPE_DEFAULT_MODEL: 'tooly',
      TROUPE_SKILLS: 'research,lookup',
      TROUPE_MCP_CONFIG: mcpConfig,
      TROUPE_DURABLE: 'false',
      TROUPE_LOG_LEVEL: 'warn',
      TROUPE_TRACES: `file:${traces}`,
    };
    const launched = await Promise.allSettled((['judge', 'worker', 'planner'] as const).map((name) => launchService(name, env, { readyTimeoutMs: 180_000 })));
    services = launched.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    const failed = launched.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    connection = await connectNats({ servers: nats.url });
  }, 240_000);

  afterAll(async () => {
    await connection?.drain();
    const codes = await Promise.all(services.map((service) => service.stop('SIGTERM')));
    http?.process.kill('SIGTERM');
    await nats?.stop();
    expect(codes).toEqual([0, 0, 0]);
  });

  it.each([
    ['research', 'stdio'],
    ['lookup', 'streamable HTTP'],
  ])('skill %s calls get-sum over %s; the calls are on the node result and the judge checks facts against them', async (skill) => {
    const client = createTroupeClient({ connection });
    const result = await client.run({
      plan: { name: `mcp-${skill}`, nodes: [{ id: 'answer', skill, checks: ['factuality'], maxAttempts: 1 }] },
      input: 'Please add the numbers two and forty.',
    });
    expect(result.status, JSON.stringify(result.error)).toBe('completed');
    expect(result.output).toBe('the sum is 42');
    const node = result.nodes[0]!;
    expect(node.toolCalls).toHaveLength(1);
    expect(node.toolCalls![0]).toMatchObject({ step: 1, name: 'get-sum', arguments: { a: 2, b: 40 }, isError: false });
    expect(node.toolCalls![0]!.result).toContain('42');
    // "42" is nowhere in the input: the factuality check passes only because the judge read the tool result.
    expect(node.verdict?.decision).toBe('pass');
    expect(node.verdict?.checks.find((check) => check.name === 'factuality')?.passed).toBe(true);
  });

  it('puts each tool call on the worker span as a troupe.tool.call event', async () => {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const spans = readFileSync(traces, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { name: string; events?: Array<{ name: string; attributes: Record<string, unknown> }> });
    const calls = spans.filter((span) => span.name === 'troupe.worker.run').flatMap((span) => span.events ?? []).filter((event) => event.name === 'troupe.tool.call');
    expect(calls).toHaveLength(2);
    expect(calls[0]!.attributes).toMatchObject({ 'troupe.tool.name': 'get-sum', 'troupe.tool.step': 1, 'troupe.tool.error': false });
  });
});
