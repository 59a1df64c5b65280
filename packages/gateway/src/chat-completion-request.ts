import { z } from 'zod';

const TextPart = z.object({ type: z.literal('text'), text: z.string() });
const Content = z.union([z.string(), z.array(TextPart)]).nullable().optional();
const ToolCallOut = z.object({
  id: z.string(),
  type: z.literal('function').default('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

const Message = z.discriminatedUnion('role', [
  z.object({ role: z.enum(['system', 'developer', 'user']), content: Content, name: z.string().optional() }),
  z.object({ role: z.literal('assistant'), content: Content, tool_calls: z.array(ToolCallOut).optional(), name: z.string().optional() }),
  z.object({ role: z.literal('tool'), content: Content, tool_call_id: z.string() }),
]);
export type ChatCompletionMessage = z.infer<typeof Message>;

const FunctionTool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'function names use letters, digits, "_" and "-" (at most 64)'),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullable().optional(),
  }),
});

const ResponseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string().min(1).max(64),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown(), { error: 'response_format.json_schema.schema must be a JSON Schema object' }),
      strict: z.boolean().nullable().optional(),
    }),
  }),
]);

/**
 * The subset of OpenAI's Chat Completions request Troupe serves. Unknown fields are ignored (as
 * OpenAI-compatible servers do), fields Troupe cannot honour are refused with a message.
 * `troupe` carries Troupe's own options (judge checks, quality, per-request budget).
 */
export const ChatCompletionRequest = z.object({
  model: z.string({ error: '"model" is required: troupe/auto, troupe/pipeline/<name> or a model id from GET /v1/models' }).min(1),
  messages: z.array(Message).min(1, '"messages" needs at least one message'),
  stream: z.boolean().nullable().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
  max_tokens: z.number().int().min(1).nullable().optional(),
  max_completion_tokens: z.number().int().min(1).nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullable().optional(),
  user: z.string().max(256).optional(),
  n: z.number().int().min(1).nullable().optional(),
  response_format: ResponseFormat.optional(),
  tools: z.array(FunctionTool).max(128).optional(),
  tool_choice: z
    .union([z.enum(['none', 'auto', 'required']), z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) })])
    .optional(),
  troupe: z
    .object({
      checks: z.array(z.string().min(1).max(64)).max(16).optional(),
      quality: z.enum(['fast', 'balanced', 'best']).optional(),
      budget_usd: z.number().nonnegative().optional(),
    })
    .optional(),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;
