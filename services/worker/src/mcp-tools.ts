// MCP tools for the worker service: servers named in TROUPE_MCP_CONFIG, bound to skills, run through the one tool loop.
import { readFileSync } from 'node:fs';
import { trace } from '@opentelemetry/api';
import { z } from 'zod';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import type { WorkerHostOptions } from '@troupe/runtime';
import { McpToolsConfig, connectMcpTools, withTools, type McpToolSource, type Tool } from '@troupe/tools';
import type { Logger } from '@troupe/transport';

export const McpEnv = z.object({
  /** JSON file: `{ "servers": [{ "name", "transport": "stdio"|"http", ... }], "skills": { "<skill>": ["<server>" | "<server>/<tool>"] }, "maxSteps": 4 }`. */
  TROUPE_MCP_CONFIG: z.string().optional(),
});

export interface WorkerMcpTools {
  /** Adds the tool loop over the bound MCP tools to the worker's options (keeping its other wrappers). */
  withTools(options: WorkerHostOptions): WorkerHostOptions;
  dispose(): Promise<void>;
}

/**
 * Connects to every MCP server the config names (a stdio command or a streamable-HTTP URL) when
 * the worker starts, so a bad server stops the worker with a clear error instead of failing tasks
 * later. A request whose skill is bound gets its model wrapped in the tool loop; each call is a span
 * event on the worker's span and travels on the node result (`toolCalls`), where the judge reads it.
 */
export async function loadWorkerMcpTools(path: string | undefined, logger: Logger): Promise<WorkerMcpTools> {
  if (!path) return { withTools: (options) => options, dispose: async () => undefined };
  const config = McpToolsConfig.parse(JSON.parse(readFileSync(path, 'utf8')));
  const sources: McpToolSource[] = [];
  try {
    for (const server of config.servers) sources.push(await connectMcpTools(server));
  } catch (error) {
    await Promise.all(sources.map((source) => source.close()));
    throw error;
  }
  const bySkill = new Map<string, Tool[]>();
  for (const [skill, names] of Object.entries(config.skills)) bySkill.set(skill, names.flatMap((name) => select(sources, name)));
  logger.info({ servers: sources.map((source) => source.name), skills: [...bySkill.keys()] }, 'MCP tools bound');
  const onToolCall = (call: { name: string; step: number; isError: boolean; latencyMs: number }) =>
    trace.getActiveSpan()?.addEvent('troupe.tool.call', { 'troupe.tool.name': call.name, 'troupe.tool.step': call.step, 'troupe.tool.error': call.isError, 'troupe.tool.latency_ms': call.latencyMs });
  return {
    withTools(options) {
      const inner = options.wrapModel;
      return {
        ...options,
        wrapModel: (resolved, request) => {
          const wrapped = inner ? inner(resolved, request) : resolved;
          const tools = bySkill.get(request.skill);
          return tools?.length ? { ...wrapped, model: withTools(wrapped.model, tools, { maxSteps: config.maxSteps, onToolCall }) } : wrapped;
        },
      };
    },
    dispose: async () => {
      await Promise.all(sources.map((source) => source.close()));
    },
  };
}

/** `server` → all its tools; `server/tool` → that one. */
function select(sources: readonly McpToolSource[], name: string): Tool[] {
  const [serverName, toolName] = name.split('/', 2) as [string, string | undefined];
  const source = sources.find((candidate) => candidate.name === serverName);
  if (!source) throw new TroupeError(ErrorCode.CONFIG_INVALID, `TROUPE_MCP_CONFIG binds "${name}", but no server is named "${serverName}"`);
  if (!toolName) return [...source.tools];
  const tool = source.tools.find((candidate) => candidate.name === toolName);
  if (!tool) throw new TroupeError(ErrorCode.CONFIG_INVALID, `MCP server "${serverName}" has no tool "${toolName}" (it has: ${source.tools.map((candidate) => candidate.name).join(', ')})`);
  return [tool];
}
