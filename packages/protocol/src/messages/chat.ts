import { z } from 'zod';

/** One tool call a worker's tool loop ran (MCP or code tool): what the model asked, what came back. */
export const ToolCallRecord = z.object({
  /** The model call (1-based) of the loop that asked for it. */
  step: z.number().int().min(1),
  name: z.string().min(1).max(128),
  arguments: z.record(z.string(), z.unknown()),
  /** The text sent back to the model: the tool's output, or why it failed. */
  result: z.string(),
  isError: z.boolean().default(false),
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
