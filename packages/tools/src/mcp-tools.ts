import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import { McpServerConfig, type McpServerConfigInput } from './mcp-server-config.js';
import type { Tool } from './tool-loop.js';

/** A connected MCP server and its tools as loop-ready `Tool`s. */
export interface McpToolSource {
  readonly name: string;
  readonly tools: readonly Tool[];
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Connects to one MCP server (stdio or streamable HTTP) with the official SDK client and lists its
 * tools. Each tool's result content is flattened to text for the model; structured content is
 * kept as JSON. Close it (or `await using`) to end the server process or HTTP session.
 *
 * @example
 * await using everything = await connectMcpTools({ name: 'everything', transport: 'stdio', command: 'npx', args: ['mcp-server-everything'] });
 * const result = await runToolLoop({ model, tools: everything.tools, messages });
 */
export async function connectMcpTools(input: McpServerConfigInput, options: { timeoutMs?: number } = {}): Promise<McpToolSource> {
  const config = McpServerConfig.parse(input);
  const timeout = options.timeoutMs ?? 30_000;
  const client = new Client({ name: 'troupe-worker', version: '0.1.0' });
  const transport =
    config.transport === 'stdio'
      ? new StdioClientTransport({
          command: config.command,
          args: config.args,
          env: { ...getDefaultEnvironment(), ...config.env },
          stderr: 'ignore',
          ...(config.cwd ? { cwd: config.cwd } : {}),
        })
      : new StreamableHTTPClientTransport(new URL(config.url), config.headers ? { requestInit: { headers: config.headers } } : {});
  try {
    await client.connect(transport, { timeout });
  } catch (cause) {
    await client.close().catch(() => undefined);
    throw new TroupeError(ErrorCode.UNAVAILABLE, `MCP server "${config.name}" could not be reached over ${config.transport}`, { cause });
  }
  const listed = await client.listTools(undefined, { timeout });
  const tools: Tool[] = listed.tools.map((described) => ({
    name: described.name,
    description: described.description ?? described.title ?? described.name,
    inputSchema: described.inputSchema as Record<string, unknown>,
    async execute(input, { signal }) {
      const args = typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
      const result = await client.callTool({ name: described.name, arguments: args }, undefined, { timeout, signal });
      // A tool-reported failure goes back to the model as an error, so it can correct its arguments.
      if (result.isError === true) throw new TroupeError(ErrorCode.PROVIDER_ERROR, `MCP tool "${described.name}" failed: ${contentText(result).slice(0, 500)}`);
      return contentText(result);
    },
  }));
  let closed: Promise<void> | undefined;
  const close = () => (closed ??= client.close().catch(() => undefined));
  return { name: config.name, tools, close, [Symbol.asyncDispose]: close };
}

function contentText(result: { content?: unknown; structuredContent?: unknown; toolResult?: unknown }): string {
  if (result.structuredContent !== undefined) return JSON.stringify(result.structuredContent);
  const parts = Array.isArray(result.content) ? (result.content as Array<{ type: string; text?: string; mimeType?: string; resource?: { uri?: string; text?: string } }>) : [];
  if (parts.length === 0 && result.toolResult !== undefined) return JSON.stringify(result.toolResult);
  return parts
    .map((part) => {
      if (part.type === 'text') return part.text ?? '';
      if (part.type === 'resource') return part.resource?.text ?? `[resource ${part.resource?.uri ?? ''}]`;
      return `[${part.type}${part.mimeType ? ` ${part.mimeType}` : ''}]`;
    })
    .join('\n');
}
