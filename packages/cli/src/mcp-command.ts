import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createTroupeClient } from '@troupe/client';
import { TroupeDirectory, createTroupeMcpServer } from '@troupe/gateway';
import { connectNats } from '@troupe/transport';

export interface McpCommandOptions {
  natsUrl: string;
  tenant: string;
  credsFile?: string;
  timeoutMs: number;
}

/**
 * `troupe mcp`: Troupe as an MCP server over stdio (run_task, submit_task, task_result,
 * list_pipelines) for MCP hosts that launch a command. Stdout carries only MCP messages;
 * it ends when the host closes stdin.
 */
export async function mcp(options: McpCommandOptions): Promise<void> {
  const connection = await connectNats({ servers: options.natsUrl, name: 'troupe-mcp', ...(options.credsFile ? { credsFile: options.credsFile } : {}) });
  const client = createTroupeClient({ connection, tenant: options.tenant, timeoutMs: options.timeoutMs });
  const server = createTroupeMcpServer({ client, directory: new TroupeDirectory(connection), timeoutMs: options.timeoutMs });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close().catch(() => undefined);
  await connection.drain();
}
