import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallOptions, GenerateResult, LanguageModel, StreamPart } from '@troupe/models';
import { freePort } from '@troupe/testing';
import { connectMcpTools, type McpToolSource } from './mcp-tools.js';
import { runToolLoop } from './tool-loop.js';

// The real third-party reference server, not a fake: @modelcontextprotocol/server-everything.
const everything = createRequire(import.meta.url).resolve('@modelcontextprotocol/server-everything/dist/index.js');

/**
 * A model that follows a script of replies and records the calls it saw: the loop's behaviour
 * (what it sends, when it stops) is what is under test here, not a model's judgement.
 */
function scriptedModel(replies: string[]): LanguageModel & { calls: CallOptions[] } {
  const calls: CallOptions[] = [];
  const generate = async (call: CallOptions): Promise<GenerateResult> => {
    calls.push(call);
    const text = replies[calls.length - 1] ?? '{"tool_calls":[],"answer":"out of script"}';
    return { text, usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 0 }, finishReason: 'stop', metrics: { latencyMs: 1, queueWaitMs: 0 } };
  };
  return {
    specificationVersion: 'troupe.v1',
    provider: 'scripted',
    modelId: 'scripted',
    calls,
    doGenerate: generate,
    async *doStream(call): AsyncIterable<StreamPart> {
      const result = await generate(call);
      yield { type: 'text-delta', delta: result.text };
      yield { type: 'finish', usage: result.usage, finishReason: 'stop', metrics: result.metrics };
    },
  };
}

async function startHttpEverything(): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [everything, 'streamableHttp'], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server-everything did not start')), 15_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`server-everything exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}/mcp`, process: child };
}

describe.each(['stdio', 'http'] as const)('MCP tools from server-everything over %s', (transport) => {
  let source: McpToolSource;
  let server: ChildProcess | undefined;

  beforeAll(async () => {
    if (transport === 'stdio') {
      source = await connectMcpTools({ name: 'everything', transport: 'stdio', command: process.execPath, args: [everything, 'stdio'] });
    } else {
      const started = await startHttpEverything();
      server = started.process;
      source = await connectMcpTools({ name: 'everything', transport: 'http', url: started.url });
    }
  }, 30_000);

  afterAll(async () => {
    await source?.close();
    server?.kill('SIGTERM');
  });

  it('lists the server tools with their JSON Schemas', () => {
    const sum = source.tools.find((tool) => tool.name === 'get-sum');
    expect(sum?.inputSchema).toMatchObject({ type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } });
    expect(source.tools.map((tool) => tool.name)).toContain('echo');
  });

  it('runs a tool loop: the model calls get-sum, reads the result, answers; calls are recorded', async () => {
    const model = scriptedModel(['{"tool_calls":[{"name":"get-sum","arguments":{"a":2,"b":40}}],"answer":""}', '{"tool_calls":[],"answer":"The sum is 42."}']);
    const result = await runToolLoop({ model, tools: source.tools, messages: [{ role: 'user', content: 'What is 2 + 40?' }] });
    expect(result.output).toBe('The sum is 42.');
    expect(result.steps).toBe(2);
    expect(result.toolCalls).toHaveLength(1);
    expect(result.toolCalls[0]).toMatchObject({ name: 'get-sum', arguments: { a: 2, b: 40 }, isError: false, step: 1 });
    // The real server's answer, as text the model read.
    expect(result.toolCalls[0]!.result).toContain('42');
    // The second model call read the real tool output, and the protocol named the server's tools.
    expect(model.calls[1]!.messages.at(-1)!.content).toContain('42');
    expect(model.calls[0]!.messages[0]!.content).toContain('get-sum');
    expect(result.usage).toEqual({ inputTokens: 20, outputTokens: 10, cachedInputTokens: 0 });
  });

  it('feeds tool errors and unknown tools back to the model instead of throwing', async () => {
    const model = scriptedModel([
      '{"tool_calls":[{"name":"get-sum","arguments":{"a":"two"}},{"name":"no-such-tool","arguments":{}}],"answer":""}',
      '{"tool_calls":[],"answer":"could not add"}',
    ]);
    const result = await runToolLoop({ model, tools: source.tools, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Add.' }] });
    expect(result.output).toBe('could not add');
    expect(result.toolCalls.map((call) => call.isError)).toEqual([true, true]);
    expect(result.toolCalls[0]!.result).toMatch(/get-sum/);
    expect(result.toolCalls[1]!.result).toMatch(/no-such-tool/);
  });
});
