import type { TaskResult } from '@troupe/protocol';
import type { ChatTarget } from './chat-task.js';

/** An OpenAI `tool_calls` entry. */
export interface OpenAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** The assistant's answer drawn from a task result. */
export interface Answer {
  content: string | null;
  toolCalls: OpenAIToolCall[];
  /** Registry id of the model that produced the answer (the chat node's, or the pipeline's last). */
  model: string | undefined;
}

interface ToolCallOutput {
  content?: unknown;
  toolCalls?: Array<{ id?: unknown; name?: unknown; arguments?: unknown }>;
}

/** The answer of a finished task: a chat node's text (or JSON) and tool calls; a pipeline's output. */
export function answerOf(result: TaskResult, target: ChatTarget, withTools: boolean): Answer {
  const node = target.kind === 'pipeline' ? [...result.nodes].reverse().find((report) => report.model) : result.nodes[0];
  const model = node?.model;
  const output = target.kind === 'pipeline' ? result.output : node?.output;
  if (withTools && typeof output === 'object' && output !== null && Array.isArray((output as ToolCallOutput).toolCalls)) {
    const { content, toolCalls = [] } = output as ToolCallOutput;
    return {
      content: typeof content === 'string' && content.length > 0 ? content : null,
      toolCalls: toolCalls.map((call, index) => ({
        id: typeof call.id === 'string' ? call.id : `call_${result.taskId.slice(0, 8)}_${index}`,
        type: 'function',
        function: { name: String(call.name), arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {}) },
      })),
      model,
    };
  }
  return { content: textOf(output), toolCalls: [], model };
}

export function textOf(output: unknown): string {
  if (typeof output === 'string') return output;
  if (output === undefined || output === null) return '';
  return JSON.stringify(output);
}

export type FinishReason = 'stop' | 'length' | 'tool_calls';

export function usageOf(result: TaskResult) {
  return {
    prompt_tokens: result.usage.inputTokens,
    completion_tokens: result.usage.outputTokens,
    total_tokens: result.usage.inputTokens + result.usage.outputTokens,
    prompt_tokens_details: { cached_tokens: result.usage.cachedInputTokens },
  };
}

/** A non-streamed `chat.completion` object. */
export function chatCompletion(result: TaskResult, answer: Answer, requestedModel: string, finishReason: FinishReason, created: number) {
  return {
    id: `chatcmpl-${result.taskId}`,
    object: 'chat.completion',
    created,
    model: answer.model ?? requestedModel,
    system_fingerprint: null,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: answer.content, refusal: null, ...(answer.toolCalls.length ? { tool_calls: answer.toolCalls } : {}) },
        logprobs: null,
        finish_reason: finishReason,
      },
    ],
    usage: usageOf(result),
  };
}

/** One SSE `data:` line holding a `chat.completion.chunk`. */
export function chunkLine(id: string, created: number, model: string, delta: Record<string, unknown>, finishReason: FinishReason | null): string {
  return `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: null, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] })}\n\n`;
}

/** The final usage chunk (`stream_options.include_usage`): no choices, only usage. */
export function usageLine(id: string, created: number, model: string, result: TaskResult): string {
  return `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: null, choices: [], usage: usageOf(result) })}\n\n`;
}
