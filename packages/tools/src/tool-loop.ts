import type { CallOptions, ChatMessage, LanguageModel } from '@troupe/models';
import { ErrorCode, TroupeError, getTroupeErrorFromUnknown, type TokenUsage } from '@troupe/protocol';

/**
 * A function a model node may call: a code skill (`@troupe/skills`) or a tool of an MCP server
 * (`connectMcpTools`). The tool loop is the only caller of `execute`.
 */
export interface Tool {
  /** Unique within one loop; what the model names in a call. */
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the arguments (an object schema). */
  readonly inputSchema: Record<string, unknown>;
  /**
   * Runs one call with the model's arguments (validate them). A string result is sent back as is,
   * anything else as JSON; a throw is sent back as an error the model may correct.
   */
  execute(input: unknown, context: ToolContext): Promise<unknown>;
}

export interface ToolContext {
  /** Aborted when the node is cancelled or times out; forward it. */
  signal: AbortSignal;
  /** Which call of the loop this is, e.g. `2.1` (step 2, first call). */
  callId: string;
}

export interface ToolLoopOptions {
  model: LanguageModel;
  tools: readonly Tool[];
  messages: readonly ChatMessage[];
  /** Model calls at most (default 5); the last one may not call tools, so the loop always ends with an answer. */
  maxSteps?: number;
  /** JSON Schema of the final answer (default: a string). */
  outputSchema?: Record<string, unknown>;
  maxOutputTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
  /** Called after each tool call, e.g. to publish progress or add a span event. */
  onToolCall?: (call: ToolCallRecord) => void;
}

/** One tool call the loop ran, in order. */
export interface ToolCallRecord {
  /** The model call (1-based) that asked for it. */
  step: number;
  name: string;
  arguments: Record<string, unknown>;
  /** The text sent back to the model: the tool's output, or why it failed. */
  result: string;
  isError: boolean;
  latencyMs: number;
}

export interface ToolLoopResult {
  /** The final answer (follows `outputSchema` when given). */
  output: unknown;
  /** The raw text of the last model call. */
  text: string;
  /** Model calls made. */
  steps: number;
  toolCalls: ToolCallRecord[];
  /** Summed over every model call, so the cost charged covers the whole loop. */
  usage: TokenUsage;
  latencyMs: number;
  queueWaitMs: number;
  /** Registry id of the model that answered the last call, when a fallback chain served it. */
  servedBy?: string;
}

export const DEFAULT_MAX_TOOL_STEPS = 5;

/**
 * The one tool loop, shared by code skills and MCP tools. Tool calls travel as structured output
 * (`{"tool_calls":[…],"answer":…}` under a JSON Schema), so every model that can follow a schema —
 * a local GGUF under a grammar as much as a frontier API — can call tools, with no per-provider
 * function-calling dialect. Tool errors and unknown tools go back to the model as results; the
 * last step forbids tool calls (`maxItems: 0`), so the loop ends with an answer.
 *
 * @example
 * const result = await runToolLoop({ model, tools: [orderLookup], messages: [{ role: 'user', content: 'Where is order A-1?' }] });
 * result.output; // the answer; result.toolCalls lists what was called
 */
export async function runToolLoop(options: ToolLoopOptions): Promise<ToolLoopResult> {
  const { model, tools } = options;
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_TOOL_STEPS;
  const byName = new Map<string, Tool>();
  for (const tool of tools) {
    if (byName.has(tool.name)) throw new TroupeError(ErrorCode.CONFIG_INVALID, `two tools are named "${tool.name}"`);
    byName.set(tool.name, tool);
  }
  const messages = withToolProtocol(options.messages, tools);
  const toolCalls: ToolCallRecord[] = [];
  let usage: TokenUsage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
  let latencyMs = 0;
  let queueWaitMs = 0;
  for (let step = 1; ; step += 1) {
    const last = step >= maxSteps;
    const call: CallOptions = {
      messages,
      responseSchema: turnSchema(tools, options.outputSchema, last),
      ...(options.maxOutputTokens !== undefined ? { maxOutputTokens: options.maxOutputTokens } : {}),
      ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    };
    const generation = await model.doGenerate(call);
    usage = addUsage(usage, generation.usage);
    latencyMs += generation.metrics.latencyMs;
    queueWaitMs += generation.metrics.queueWaitMs;
    const turn = parseTurn(generation.text, model.modelId);
    if (last || turn.toolCalls.length === 0) {
      return {
        output: turn.answer,
        text: generation.text,
        steps: step,
        toolCalls,
        usage,
        latencyMs,
        queueWaitMs,
        ...(generation.servedBy ? { servedBy: generation.servedBy } : {}),
      };
    }
    const results: string[] = [];
    for (const [index, requested] of turn.toolCalls.entries()) {
      const record = await runTool(byName, requested, step, `${step}.${index + 1}`, options.signal);
      toolCalls.push(record);
      options.onToolCall?.(record);
      results.push(`[${record.name}]${record.isError ? ' (error)' : ''} ${record.result}`);
    }
    messages.push({ role: 'assistant', content: generation.text });
    messages.push({ role: 'user', content: `Tool results:\n${results.join('\n')}\n\nCall more tools or give the answer.` });
  }
}

async function runTool(
  byName: ReadonlyMap<string, Tool>,
  requested: { name: string; arguments: Record<string, unknown> },
  step: number,
  callId: string,
  signal: AbortSignal | undefined,
): Promise<ToolCallRecord> {
  const base = { step, name: requested.name, arguments: requested.arguments };
  const tool = byName.get(requested.name);
  if (!tool)
    return { ...base, result: `no tool named "${requested.name}"; available: ${[...byName.keys()].join(', ')}`, isError: true, latencyMs: 0 };
  const started = performance.now();
  try {
    const output = await tool.execute(requested.arguments, { signal: signal ?? new AbortController().signal, callId });
    return {
      ...base,
      result: typeof output === 'string' ? output : JSON.stringify(output ?? null),
      isError: false,
      latencyMs: performance.now() - started,
    };
  } catch (error) {
    // Cancellation is not the model's to fix: it ends the loop instead of going back as a tool error.
    if (signal?.aborted) throw getTroupeErrorFromUnknown(signal.reason ?? error, ErrorCode.CANCELLED);
    return { ...base, result: getTroupeErrorFromUnknown(error).message, isError: true, latencyMs: performance.now() - started };
  }
}

/** Puts the tool protocol and the tools' descriptions into the system message (merged with one the caller gave). */
function withToolProtocol(messages: readonly ChatMessage[], tools: readonly Tool[]): ChatMessage[] {
  const catalogue = tools
    .map((tool) => `- ${tool.name}: ${tool.description}\n  arguments (JSON Schema): ${JSON.stringify(tool.inputSchema)}`)
    .join('\n');
  const protocol =
    'You can call tools. Reply with JSON {"tool_calls":[{"name":…,"arguments":{…}}],"answer":…}. ' +
    'To call tools, list them in "tool_calls" and leave "answer" empty; their results come back in the next message. ' +
    `When you have what you need, reply with an empty "tool_calls" and the final "answer".\nTools:\n${catalogue}`;
  const [first, ...rest] = messages;
  if (first?.role === 'system') return [{ role: 'system', content: `${first.content}\n\n${protocol}` }, ...rest];
  return [{ role: 'system', content: protocol }, ...messages];
}

function turnSchema(tools: readonly Tool[], outputSchema: Record<string, unknown> | undefined, last: boolean): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      tool_calls: {
        type: 'array',
        items: {
          type: 'object',
          properties: { name: { type: 'string', enum: tools.map((tool) => tool.name) }, arguments: { type: 'object' } },
          required: ['name', 'arguments'],
        },
        ...(last ? { maxItems: 0 } : {}),
      },
      answer: outputSchema ?? { type: 'string' },
    },
    required: ['tool_calls', 'answer'],
  };
}

function parseTurn(text: string, modelId: string): { toolCalls: Array<{ name: string; arguments: Record<string, unknown> }>; answer: unknown } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new TroupeError(ErrorCode.OUTPUT_INVALID, `model "${modelId}" answered the tool loop with text that is not JSON`, {
      cause,
      retryable: true,
      details: { text: text.slice(0, 500) },
    });
  }
  const turn = (parsed && typeof parsed === 'object' ? parsed : {}) as { tool_calls?: unknown; answer?: unknown };
  const toolCalls = (Array.isArray(turn.tool_calls) ? turn.tool_calls : []).flatMap((entry: unknown) => {
    const call = entry as { name?: unknown; arguments?: unknown };
    if (!call || typeof call.name !== 'string') return [];
    const args =
      call.arguments && typeof call.arguments === 'object' && !Array.isArray(call.arguments) ? (call.arguments as Record<string, unknown>) : {};
    return [{ name: call.name, arguments: args }];
  });
  return { toolCalls, answer: turn.answer };
}

function addUsage(left: TokenUsage, right: TokenUsage): TokenUsage {
  return {
    inputTokens: left.inputTokens + right.inputTokens,
    outputTokens: left.outputTokens + right.outputTokens,
    cachedInputTokens: (left.cachedInputTokens ?? 0) + (right.cachedInputTokens ?? 0),
  };
}
