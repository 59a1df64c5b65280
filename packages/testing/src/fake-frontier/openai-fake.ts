import type { FakeBehaviour, FakeUsage } from './fake-behaviour.js';
import { fixtureJson, fixtureText } from './fixtures.js';
import {
  isRecord,
  startFakeProviderServer,
  type FakeDialect,
  type FakeProviderOptions,
  type FakeProviderServer,
  type FakeRequest,
} from './fake-provider-server.js';
import { parseSse, splitText, type SseEvent } from './sse.js';
import { strictSchemaViolation } from './strict-schema.js';

type Reply = Extract<FakeBehaviour, { type: 'reply' }>;
// Fixture templates are edited in place; their shape is the recorded wire format, not a TS type.
type Json = Record<string, any>;

const ROLES = new Set(['system', 'developer', 'user', 'assistant']);

function usageOf(usage: FakeUsage): Json {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function validateResponseFormat(format: unknown): string | undefined {
  if (!isRecord(format)) return "Invalid type for 'response_format': expected an object.";
  if (format.type === 'text' || format.type === 'json_object') return undefined;
  if (format.type !== 'json_schema') return `Invalid value: '${String(format.type)}'. Supported values are: 'json_object', 'json_schema', and 'text'.`;
  const spec = format.json_schema;
  if (!isRecord(spec)) return "Missing required parameter: 'response_format.json_schema'.";
  if (typeof spec.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(spec.name)) {
    return "Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.";
  }
  if (!isRecord(spec.schema)) return "Invalid type for 'response_format.json_schema.schema': expected an object.";
  if (spec.strict === true) {
    const violation = strictSchemaViolation(spec.schema);
    if (violation) return `Invalid schema for response_format '${spec.name}': ${violation}`;
  }
  return undefined;
}

/** OpenAI Chat Completions (`POST /v1/chat/completions`), also what OpenAI-compatible servers speak. */
export const openAIDialect: FakeDialect = {
  name: 'openai',
  basePath: '/v1',
  route: (method, url) => (method === 'POST' && url.pathname === '/v1/chat/completions' ? { streamPath: false } : undefined),
  credential(headers) {
    const match = /^Bearer (.+)$/.exec(headers.authorization ?? '');
    return match?.[1] ? { key: match[1], source: 'authorization' } : undefined;
  },
  wantsStream: (body) => body.stream === true,
  validate(request: FakeRequest, headers) {
    const body = request.body as Json;
    if (!String(headers['content-type']).includes('application/json')) return 'Content-Type must be application/json.';
    if (typeof body.model !== 'string' || body.model === '') return "you must provide a model parameter";
    if (!Array.isArray(body.messages) || body.messages.length === 0) return "Invalid 'messages': empty array. Expected an array with minimum length 1.";
    for (const [index, message] of (body.messages as unknown[]).entries()) {
      if (!isRecord(message) || !ROLES.has(String(message.role))) return `Invalid value for 'messages[${index}].role'.`;
      if (typeof message.content !== 'string' && !Array.isArray(message.content)) return `Invalid type for 'messages[${index}].content'.`;
    }
    for (const field of ['max_tokens', 'max_completion_tokens']) {
      if (body[field] !== undefined && (!Number.isInteger(body[field]) || body[field] < 1)) return `Invalid '${field}': integer below minimum value.`;
    }
    if (body.stream_options !== undefined && body.stream !== true) return 'The \'stream_options\' parameter is only allowed when \'stream\' is enabled.';
    if (body.response_format !== undefined) return validateResponseFormat(body.response_format);
    return undefined;
  },
  reply(request, behaviour: Reply) {
    const body = request.body as Json;
    const completion = fixtureJson<Json>('openai/chat-completion.json');
    completion.model = body.model;
    completion.choices[0].message.content = behaviour.text ?? completion.choices[0].message.content;
    completion.choices[0].finish_reason = behaviour.finishReason ?? 'stop';
    if (behaviour.usage) completion.usage = usageOf(behaviour.usage);
    return completion;
  },
  streamReply(request, behaviour: Reply): SseEvent[] {
    const body = request.body as Json;
    const recorded = parseSse(fixtureText('openai/chat-completion-stream.sse'));
    const chunks = recorded.filter((event) => event.data !== '[DONE]').map((event) => JSON.parse(event.data) as Json);
    const [first, contentTemplate] = chunks;
    const finishTemplate = chunks.find((chunk) => chunk.choices[0]?.finish_reason);
    const usageTemplate = chunks.find((chunk) => chunk.choices.length === 0);
    const recordedText = chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('');
    const includeUsage = isRecord(body.stream_options) && body.stream_options.include_usage === true;
    const stamp = (chunk: Json): SseEvent => {
      const copy: Json = { ...structuredClone(chunk), model: body.model };
      if (!includeUsage) delete copy.usage; // the API adds `usage` only when asked to
      return { data: JSON.stringify(copy) };
    };
    const events: SseEvent[] = [stamp(first!)];
    for (const piece of splitText(behaviour.text ?? recordedText)) {
      const chunk = structuredClone(contentTemplate!);
      chunk.choices[0].delta.content = piece;
      events.push(stamp(chunk));
    }
    const finish = structuredClone(finishTemplate!);
    finish.choices[0].finish_reason = behaviour.finishReason ?? 'stop';
    events.push(stamp(finish));
    if (includeUsage) {
      const usage = structuredClone(usageTemplate!);
      if (behaviour.usage) usage.usage = usageOf(behaviour.usage);
      events.push(stamp(usage));
    }
    events.push({ data: '[DONE]' });
    return events;
  },
  error(kind, values) {
    switch (kind) {
      case 'auth':
        return { status: 401, body: fixtureJson('openai/error-401-invalid-api-key.json', { apiKey: values.apiKey }) };
      case 'rate-limit':
        return { status: 429, body: fixtureJson('openai/error-429-rate-limit.json') };
      case 'server':
        return { status: 500, body: fixtureJson('openai/error-500-server.json') };
      case 'overloaded':
        return { status: 503, body: fixtureJson('openai/error-500-server.json') };
      case 'context-overflow':
        return { status: 400, body: fixtureJson('openai/error-400-context-length.json') };
    }
  },
  invalid: (message) => ({ status: 400, body: fixtureJson('openai/error-400-invalid-request.json', { message }) }),
};

/** Starts a fake OpenAI Chat Completions server; its `url` ends in `/v1` like the real base URL. */
export function startFakeOpenAI(options: FakeProviderOptions = {}): Promise<FakeProviderServer> {
  return startFakeProviderServer(openAIDialect, options);
}
