import type { ChatRequestInput, TaskSubmissionInput } from '@troupe/protocol';
import type { ChatCompletionMessage, ChatCompletionRequest } from './chat-completion-request.js';
import { toolInstructions, toolOutputSchema } from './chat-tools.js';
import { GatewayError } from './openai-error.js';

/** How a request runs, from its `model`. */
export type ChatTarget = { kind: 'auto' } | { kind: 'pipeline'; pipeline: string } | { kind: 'model'; model: string };

export const AUTO_MODEL = 'troupe/auto';
export const PIPELINE_PREFIX = 'troupe/pipeline/';

export function targetOf(model: string): ChatTarget {
  if (model === AUTO_MODEL) return { kind: 'auto' };
  if (model.startsWith(PIPELINE_PREFIX)) return { kind: 'pipeline', pipeline: model.slice(PIPELINE_PREFIX.length) };
  return { kind: 'model', model };
}

export interface ChatTaskOptions {
  taskId: string;
  /** Skill the one chat node runs as (a skill the workers serve). */
  skill: string;
  timeoutMs: number;
  /** What the caller's key still may spend; the planner stops the task beyond it. */
  budgetUsd?: number;
  requestId: string;
}

function textOf(content: ChatCompletionMessage['content']): string {
  if (content === null || content === undefined) return '';
  return typeof content === 'string' ? content : content.map((part) => part.text).join('');
}

/** OpenAI messages as Troupe chat messages: developer is system; tool traffic becomes readable text. */
export function chatMessages(messages: readonly ChatCompletionMessage[]): ChatRequestInput['messages'] {
  return messages.map((message) => {
    switch (message.role) {
      case 'developer':
      case 'system':
        return { role: 'system', content: textOf(message.content) };
      case 'user':
        return { role: 'user', content: textOf(message.content) };
      case 'assistant': {
        const calls = message.tool_calls?.map((call) => `called ${call.function.name}(${call.function.arguments}) [id ${call.id}]`) ?? [];
        return { role: 'assistant', content: [textOf(message.content), ...calls].filter(Boolean).join('\n') };
      }
      case 'tool':
        return { role: 'user', content: `Result of tool call ${message.tool_call_id}: ${textOf(message.content)}` };
    }
  });
}

function outputSchemaOf(request: ChatCompletionRequest): Record<string, unknown> | undefined {
  const format = request.response_format;
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'object' };
  const schema = format.json_schema.schema;
  if (schema.type !== undefined && schema.type !== 'object' && schema.type !== 'array') {
    throw new GatewayError(400, 'response_format.json_schema.schema must describe an object or array (set "type": "object")', 'invalid_request_error', 'invalid_response_format', 'response_format');
  }
  return schema;
}

/**
 * A chat request as a Troupe task. A model id or `troupe/auto` becomes a one-node plan whose node
 * carries the conversation (`chat`), so it is planned, routed, judged, costed and traced like any
 * task; a pipeline runs as registered with the last user message as input.
 */
export function chatTask(request: ChatCompletionRequest, target: ChatTarget, options: ChatTaskOptions): TaskSubmissionInput {
  const lastUser = [...request.messages].reverse().find((message) => message.role === 'user');
  const input = lastUser ? textOf(lastUser.content) : '';
  const common = {
    id: options.taskId,
    input,
    ...(request.troupe?.quality ? { quality: request.troupe.quality } : {}),
    ...(budgetOf(request, options) !== undefined ? { budgetUsd: budgetOf(request, options) } : {}),
    metadata: { source: 'gateway', requestId: options.requestId, ...(request.user ? { user: request.user } : {}) },
  };
  if (target.kind === 'pipeline') return { ...common, pipeline: target.pipeline };
  const tools = request.tool_choice === 'none' ? undefined : request.tools;
  if (tools?.length && typeof request.tool_choice === 'object' && !tools.some((tool) => tool.function.name === (request.tool_choice as { function: { name: string } }).function.name)) {
    throw new GatewayError(400, `tool_choice names "${request.tool_choice.function.name}", which is not in "tools"`, 'invalid_request_error', 'invalid_tool_choice', 'tool_choice');
  }
  const outputSchema = tools?.length ? toolOutputSchema(tools, request.tool_choice) : outputSchemaOf(request);
  const maxTokens = request.max_completion_tokens ?? request.max_tokens ?? undefined;
  const chat: ChatRequestInput = {
    messages: chatMessages(request.messages),
    ...(maxTokens ? { maxTokens } : {}),
    ...(typeof request.temperature === 'number' ? { temperature: request.temperature } : {}),
    stream: request.stream === true,
  };
  return {
    ...common,
    plan: {
      name: 'chat',
      nodes: [
        {
          id: 'chat',
          skill: options.skill,
          ...(target.kind === 'model' ? { model: target.model } : {}),
          ...(outputSchema ? { outputSchema } : {}),
          ...(tools?.length ? { instructions: toolInstructions(tools) } : {}),
          ...(request.troupe?.checks ? { checks: request.troupe.checks } : {}),
          // A streamed answer cannot be taken back, so a stream gets one attempt; otherwise the judge may ask for a retry.
          maxAttempts: request.stream === true ? 1 : 2,
          timeoutMs: options.timeoutMs,
          chat,
        },
      ],
    },
  };
}

function budgetOf(request: ChatCompletionRequest, options: ChatTaskOptions): number | undefined {
  const asked = request.troupe?.budget_usd;
  if (asked === undefined) return options.budgetUsd;
  return options.budgetUsd === undefined ? asked : Math.min(asked, options.budgetUsd);
}
