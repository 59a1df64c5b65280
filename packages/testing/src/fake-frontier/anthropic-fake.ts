import type { FakeBehaviour, FakeUsage } from './fake-behaviour.js';
import { fixtureJson, fixtureText } from './fixtures.js';
import {
  isRecord,
  startFakeProviderServer,
  type FakeDialect,
  type FakeProviderOptions,
  type FakeProviderServer,
} from './fake-provider-server.js';
import { parseSse, splitText, type SseEvent } from './sse.js';

type Reply = Extract<FakeBehaviour, { type: 'reply' }>;
// Fixture templates are edited in place; their shape is the recorded wire format, not a TS type.
type Json = Record<string, any>;

/** Anthropic reports cache reads beside, not inside, `input_tokens`. */
function usageOf(usage: FakeUsage): Json {
  const cached = usage.cachedInputTokens ?? 0;
  return {
    input_tokens: usage.inputTokens - cached,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
    output_tokens: usage.outputTokens,
  };
}

const stopReason = (behaviour: Reply) => (behaviour.finishReason === 'length' ? 'max_tokens' : 'end_turn');

/** Anthropic Messages (`POST /v1/messages`). */
export const anthropicDialect: FakeDialect = {
  name: 'anthropic',
  basePath: '',
  route: (method, url) => (method === 'POST' && url.pathname === '/v1/messages' ? { streamPath: false } : undefined),
  credential(headers) {
    // The Messages API documents `x-api-key`; SDK 1.x sends the same key as `Authorization: Bearer`.
    const apiKey = headers['x-api-key'];
    if (typeof apiKey === 'string' && apiKey !== '') return { key: apiKey, source: 'x-api-key' };
    const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? '');
    return bearer?.[1] ? { key: bearer[1], source: 'authorization' } : undefined;
  },
  wantsStream: (body) => body.stream === true,
  validate(request, headers) {
    const body = request.body as Json;
    if (typeof headers['anthropic-version'] !== 'string') return 'anthropic-version: header is required';
    if (typeof body.model !== 'string' || body.model === '') return 'model: Field required';
    if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) return 'max_tokens: Field required';
    if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: at least one message is required';
    for (const [index, message] of (body.messages as unknown[]).entries()) {
      if (!isRecord(message)) return `messages.${index}: Input should be a valid dictionary`;
      if (message.role !== 'user' && message.role !== 'assistant') {
        return `messages: Unexpected role "${String(message.role)}". The Messages API accepts a top-level \`system\` parameter, not "system" as an input message role.`;
      }
      if (typeof message.content !== 'string' && !Array.isArray(message.content)) return `messages.${index}.content: Input should be a valid list`;
    }
    if (body.system !== undefined && typeof body.system !== 'string' && !Array.isArray(body.system)) return 'system: Input should be a valid list';
    if (body.output_config !== undefined) {
      const format = isRecord(body.output_config) ? body.output_config.format : undefined;
      if (format !== undefined && format !== null) {
        if (!isRecord(format) || format.type !== 'json_schema') return "output_config.format.type: Input should be 'json_schema'";
        if (!isRecord(format.schema)) return 'output_config.format.schema: Field required';
      }
    }
    return undefined;
  },
  reply(request, behaviour: Reply) {
    const message = fixtureJson<Json>('anthropic/message.json');
    message.model = (request.body as Json).model;
    message.content[0].text = behaviour.text ?? message.content[0].text;
    message.stop_reason = stopReason(behaviour);
    if (behaviour.usage) message.usage = usageOf(behaviour.usage);
    return message;
  },
  streamReply(request, behaviour: Reply): SseEvent[] {
    const recorded = parseSse(fixtureText('anthropic/message-stream.sse'));
    const byType = (type: string) => JSON.parse(recorded.find((event) => event.event === type)!.data) as Json;
    const deltas = recorded.filter((event) => event.event === 'content_block_delta').map((event) => JSON.parse(event.data) as Json);
    const recordedText = deltas.map((delta) => delta.delta.text as string).join('');
    const event = (type: string, data: Json): SseEvent => ({ event: type, data: JSON.stringify(data) });

    const start = byType('message_start');
    start.message.model = (request.body as Json).model;
    const messageDelta = byType('message_delta');
    messageDelta.delta.stop_reason = stopReason(behaviour);
    if (behaviour.usage) {
      // message_start carries the prompt side; message_delta the cumulative output count.
      start.message.usage = { ...usageOf(behaviour.usage), output_tokens: 1 };
      messageDelta.usage = { output_tokens: behaviour.usage.outputTokens };
    }
    const events = [event('message_start', start), event('content_block_start', byType('content_block_start')), event('ping', byType('ping'))];
    for (const piece of splitText(behaviour.text ?? recordedText)) {
      const delta = structuredClone(deltas[0]!);
      delta.delta.text = piece;
      events.push(event('content_block_delta', delta));
    }
    events.push(event('content_block_stop', byType('content_block_stop')), event('message_delta', messageDelta), event('message_stop', byType('message_stop')));
    return events;
  },
  error(kind, values) {
    switch (kind) {
      case 'auth':
        return { status: 401, body: fixtureJson('anthropic/error-401-authentication.json', { apiKey: values.apiKey }) };
      case 'rate-limit':
        return { status: 429, body: fixtureJson('anthropic/error-429-rate-limit.json') };
      case 'server':
        return { status: 500, body: fixtureJson('anthropic/error-500-api.json') };
      case 'overloaded':
        return { status: 529, body: fixtureJson('anthropic/error-529-overloaded.json') };
      case 'context-overflow':
        return { status: 400, body: fixtureJson('anthropic/error-400-prompt-too-long.json') };
    }
  },
  invalid: (message) => ({ status: 400, body: fixtureJson('anthropic/error-400-invalid-request.json', { message }) }),
};

/** Starts a fake Anthropic Messages server; its `url` is the origin, like `https://api.anthropic.com`. */
export function startFakeAnthropic(options: FakeProviderOptions = {}): Promise<FakeProviderServer> {
  return startFakeProviderServer(anthropicDialect, options);
}
