import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { TroupeClient } from '@troupe/client';
import { getTroupeErrorFromUnknown } from '@troupe/protocol';
import type { TroupeDirectory } from './troupe-directory.js';

export interface TroupeMcpServerOptions {
  /** The caller's tenant-scoped client. */
  client: TroupeClient;
  directory: TroupeDirectory;
  /** How long `run_task` waits for the verified result. */
  timeoutMs?: number;
}

const json = (value: unknown) => ({
  content: [{ type: 'text' as const, text: JSON.stringify(value) }],
  structuredContent: value as Record<string, unknown>,
});

const failure = (error: unknown) => {
  const troupe = getTroupeErrorFromUnknown(error);
  return { content: [{ type: 'text' as const, text: `${troupe.code}: ${troupe.message}` }], isError: true };
};

const TaskFields = {
  pipeline: z.string().min(1).describe('Name of a registered pipeline (see list_pipelines).'),
  input: z.union([z.string(), z.record(z.string(), z.unknown())]).describe('The task input: text, or a JSON object the pipeline expects.'),
  quality: z.enum(['fast', 'balanced', 'best']).optional().describe('Cost/quality trade-off for routing.'),
  budget_usd: z.number().nonnegative().optional().describe('Most this task may spend, in USD.'),
};

/**
 * Troupe as an MCP server: `run_task`, `submit_task`, `task_result` and `list_pipelines`, each with
 * a JSON-Schema'd input. The same server is spoken over stdio (`troupe mcp`) and streamable HTTP
 * (the gateway's `/mcp`); both reach Troupe only through the NATS client.
 *
 * @example
 * const server = createTroupeMcpServer({ client, directory });
 * await server.connect(new StdioServerTransport());
 */
export function createTroupeMcpServer(options: TroupeMcpServerOptions): McpServer {
  const { client, directory } = options;
  const server = new McpServer({ name: 'troupe', version: '0.1.0' }, { capabilities: { tools: {} } });
  const submission = (args: { pipeline: string; input: unknown; quality?: 'fast' | 'balanced' | 'best'; budget_usd?: number }) => ({
    pipeline: args.pipeline,
    input: args.input,
    ...(args.quality ? { quality: args.quality } : {}),
    ...(args.budget_usd !== undefined ? { budgetUsd: args.budget_usd } : {}),
    metadata: { source: 'mcp' },
  });

  server.registerTool(
    'run_task',
    { title: 'Run a Troupe task', description: 'Runs a pipeline on the input and waits for the verified (judged) result: output, per-node models, cost and verdicts.', inputSchema: TaskFields },
    async (args) => {
      try {
        return json(await client.run(submission(args), { timeoutMs: options.timeoutMs ?? 120_000 }));
      } catch (error) {
        return failure(error);
      }
    },
  );
  server.registerTool(
    'submit_task',
    { title: 'Submit a Troupe task', description: 'Starts a pipeline on the input and returns its task id at once; fetch the result with task_result.', inputSchema: TaskFields },
    async (args) => {
      try {
        return json(await client.submit(submission(args)));
      } catch (error) {
        return failure(error);
      }
    },
  );
  server.registerTool(
    'task_result',
    {
      title: 'Result of a Troupe task',
      description: 'The result of a submitted task; with wait_ms, waits up to that long for it to finish.',
      inputSchema: {
        task_id: z.string().regex(/^[A-Za-z0-9_-]+$/).describe('The id submit_task returned.'),
        wait_ms: z.number().int().min(0).max(600_000).optional().describe('How long to wait for a running task.'),
      },
    },
    async (args) => {
      try {
        return json(await client.result(args.task_id, { waitMs: args.wait_ms ?? 0 }));
      } catch (error) {
        return failure(error);
      }
    },
  );
  server.registerTool(
    'list_pipelines',
    { title: 'List Troupe pipelines', description: 'The pipelines the running planners have registered, and the models the workers serve.', inputSchema: {} },
    async () => {
      const snapshot = await directory.refresh();
      return json({ pipelines: [...snapshot.pipelines].sort(), models: [...snapshot.models].sort() });
    },
  );
  return server;
}
