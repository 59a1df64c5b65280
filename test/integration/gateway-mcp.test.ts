import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayStack, type GatewayStack } from './gateway-harness.js';
import { repoRoot } from './paths.js';

type ToolResult = { structuredContent?: Record<string, unknown>; isError?: boolean; content: Array<{ type: string; text?: string }> };

describe('Troupe as an MCP server, through the official MCP SDK client', () => {
  let stack: GatewayStack;
  const clients: Array<{ name: string; client: Client }> = [];

  beforeAll(async () => {
    stack = await startGatewayStack();
    const http = new Client({ name: 'mcp-test-http', version: '1.0.0' });
    await http.connect(new StreamableHTTPClientTransport(new URL(`${stack.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${stack.keys.main}` } } }));
    const stdio = new Client({ name: 'mcp-test-stdio', version: '1.0.0' });
    await stdio.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [`${repoRoot}packages/cli/bin/troupe.mjs`, 'mcp', '--nats', stack.nats.url, '--tenant', 'acme'],
        env: getDefaultEnvironment(),
        stderr: 'ignore',
      }),
      { timeout: 60_000 },
    );
    clients.push({ name: 'streamable HTTP at /mcp', client: http }, { name: 'stdio (troupe mcp)', client: stdio });
  }, 240_000);

  afterAll(async () => {
    for (const { client } of clients) await client.close();
    const codes = await stack?.stop();
    expect(codes).toEqual([0, 0, 0, 0]);
  });

  it.each([0, 1])('lists the four tools with JSON-Schema inputs and runs them (transport %#)', async (index) => {
    const { client } = clients[index]!;
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(['list_pipelines', 'run_task', 'submit_task', 'task_result']);
    const run = tools.find((tool) => tool.name === 'run_task')!;
    expect(run.inputSchema).toMatchObject({ type: 'object', properties: { pipeline: { type: 'string' } }, required: expect.arrayContaining(['pipeline', 'input']) });

    const listed = (await client.callTool({ name: 'list_pipelines', arguments: {} })) as ToolResult;
    expect(listed.structuredContent?.pipelines).toEqual(expect.arrayContaining(['echo-pipe']));
    expect(listed.structuredContent?.models).toEqual(expect.arrayContaining(['echo', 'faq']));

    const ran = (await client.callTool({ name: 'run_task', arguments: { pipeline: 'echo-pipe', input: `hello over ${index}` } })) as ToolResult;
    expect(ran.isError ?? false).toBe(false);
    expect(ran.structuredContent).toMatchObject({ status: 'completed', tenant: 'acme', nodes: [{ nodeId: 'answer', model: 'echo', verdict: { decision: 'pass' } }] });
    expect(String(ran.structuredContent?.output)).toContain(`hello over ${index}`);

    const submitted = (await client.callTool({ name: 'submit_task', arguments: { pipeline: 'echo-pipe', input: 'later' } })) as ToolResult;
    const taskId = submitted.structuredContent?.taskId as string;
    expect(taskId).toMatch(/^[0-9a-f-]{36}$/);
    const result = (await client.callTool({ name: 'task_result', arguments: { task_id: taskId, wait_ms: 10_000 } })) as ToolResult;
    expect(result.structuredContent).toMatchObject({ taskId, status: 'completed' });
  });

  it('reports a bad task as a tool error, not a protocol failure', async () => {
    const { client } = clients[0]!;
    const failed = (await client.callTool({ name: 'run_task', arguments: { pipeline: 'no-such-pipeline', input: 'x' } })) as ToolResult;
    expect(failed.isError).toBe(true);
    expect(failed.content[0]!.text).toMatch(/UNKNOWN_PIPELINE: no pipeline named "no-such-pipeline"/);
  });

  it('refuses /mcp without a key', async () => {
    const response = await fetch(`${stack.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(401);
  });
});
