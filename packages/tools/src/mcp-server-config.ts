import { z } from 'zod';

/** One MCP server a skill may use, named in config: a command spoken to over stdio, or a streamable-HTTP URL. */
export const McpServerConfig = z.discriminatedUnion('transport', [
  z.object({
    name: z.string().regex(/^[A-Za-z0-9_-]+$/),
    transport: z.literal('stdio'),
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    /** Extra environment for the server process (on top of the MCP SDK's safe defaults). */
    env: z.record(z.string(), z.string()).optional(),
    cwd: z.string().optional(),
  }),
  z.object({
    name: z.string().regex(/^[A-Za-z0-9_-]+$/),
    transport: z.literal('http'),
    url: z.string().url(),
    /** e.g. an Authorization header; never logged. */
    headers: z.record(z.string(), z.string()).optional(),
  }),
]);
export type McpServerConfig = z.output<typeof McpServerConfig>;
export type McpServerConfigInput = z.input<typeof McpServerConfig>;

/** Binds skills to MCP servers: `{ "servers": [...], "skills": { "research": ["everything"] } }`. */
export const McpToolsConfig = z.object({
  servers: z.array(McpServerConfig).default([]),
  /** skill → names of the servers whose tools it may call (optionally `server/tool` for one tool). */
  skills: z.record(z.string(), z.array(z.string())).default({}),
  /** Model calls per node at most. */
  maxSteps: z.number().int().min(1).max(32).default(4),
});
export type McpToolsConfig = z.output<typeof McpToolsConfig>;
