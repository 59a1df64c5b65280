import { z } from 'zod';

/** One tool call a worker's tool loop ran (MCP or code tool): what the model asked, what came back. */
export const ToolCallRecord = z.object({
  id: z.string().max(256).optional(),
  name: z.string().min(1).max(128),
  arguments: z.unknown(),
  /** The tool's output (absent when it failed). */
  output: z.unknown().optional(),
  /** The error message the model was given instead of an output. */
  error: z.string().optional(),
  latencyMs: z.number().nonnegative(),
});
export type ToolCallRecord = z.infer<typeof ToolCallRecord>;

export const ChatRole = z.enum(['system', 'user', 'assistant']);

/**
 * A chat conversation carried by a node (the gateway's one-node tasks): the worker sends these
 * messages to the model as they are, instead of building a prompt from the node's input.
 */
export const ChatRequest = z.object({
  messages: z
    .array(z.object({ role: ChatRole, content: z.string().max(1_000_000) }))
    .min(1)
    .max(1_000),
  maxTokens: z.number().int().min(1).max(1_000_000).optional(),
  temperature: z.number().min(0).max(2).optional(),
  /** Stream token deltas as `node.token` progress events. */
  stream: z.boolean().default(false),
});
export type ChatRequest = z.infer<typeof ChatRequest>;
export type ChatRequestInput = z.input<typeof ChatRequest>;
