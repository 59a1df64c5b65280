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

type Reply = Extract<FakeBehaviour, { type: 'reply' }>;
// Fixture templates are edited in place; their shape is the recorded wire format, not a TS type.
type Json = Record<string, any>;

const ROUTE = /^\/(v1|v1beta)\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;

function modelOf(request: FakeRequest): string {
  return ROUTE.exec(request.path)?.[2] ?? 'unknown';
}

/** Gemini counts cached tokens inside `promptTokenCount` and reports them again separately. */
function usageOf(usage: FakeUsage, final: boolean): Json {
  const metadata: Json = { promptTokenCount: usage.inputTokens, totalTokenCount: usage.inputTokens };
  if (final) {
    metadata.candidatesTokenCount = usage.outputTokens;
    metadata.totalTokenCount = usage.inputTokens + usage.outputTokens;
  }
  if (usage.cachedInputTokens) metadata.cachedContentTokenCount = usage.cachedInputTokens;
  return metadata;
}

const finishReason = (behaviour: Reply) => (behaviour.finishReason === 'length' ? 'MAX_TOKENS' : 'STOP');

function validateParts(parts: unknown, where: string): string | undefined {
  if (!Array.isArray(parts) || parts.length === 0) return `* GenerateContentRequest.${where}.parts: contents.parts must not be empty.`;
  for (const part of parts) {
    if (!isRecord(part) || typeof part.text !== 'string') return `* GenerateContentRequest.${where}.parts: only text parts are expected here.`;
  }
  return undefined;
}

/** Gemini API `models/{model}:generateContent` and `:streamGenerateContent?alt=sse`. */
export const geminiDialect: FakeDialect = {
  name: 'gemini',
  basePath: '',
  sseLineEnd: '\r\n',
  route(method, url) {
    const match = ROUTE.exec(url.pathname);
    return method === 'POST' && match ? { streamPath: match[3] === 'streamGenerateContent' } : undefined;
  },
  credential(headers, url) {
    const header = headers['x-goog-api-key'];
    if (typeof header === 'string' && header !== '') return { key: header, source: 'x-goog-api-key' };
    const query = url.searchParams.get('key');
    return query ? { key: query, source: 'key' } : undefined;
  },
  wantsStream: (_body, _url, streamPath) => streamPath,
  validate(request) {
    const body = request.body as Json;
    if (request.stream && request.query.get('alt') !== 'sse') return 'streamGenerateContent is served here only as SSE (alt=sse).';
    if (!Array.isArray(body.contents) || body.contents.length === 0) return '* GenerateContentRequest.contents: contents is not specified';
    for (const [index, content] of (body.contents as unknown[]).entries()) {
      if (!isRecord(content)) return `* GenerateContentRequest.contents[${index}]: must be an object`;
      if (content.role !== undefined && content.role !== 'user' && content.role !== 'model') {
        return `* GenerateContentRequest.contents[${index}].role: Please use a valid role: user, model.`;
      }
      const problem = validateParts(content.parts, `contents[${index}]`);
      if (problem) return problem;
    }
    if (body.systemInstruction !== undefined) {
      const problem = validateParts(isRecord(body.systemInstruction) ? body.systemInstruction.parts : undefined, 'system_instruction');
      if (problem) return problem;
    }
    const config = body.generationConfig;
    if (config !== undefined) {
      if (!isRecord(config)) return '* GenerateContentRequest.generation_config: must be an object';
      if (config.maxOutputTokens !== undefined && (!Number.isInteger(config.maxOutputTokens) || (config.maxOutputTokens as number) < 1)) {
        return '* GenerateContentRequest.generation_config.max_output_tokens: must be a positive integer';
      }
      const hasSchema = config.responseSchema !== undefined || config.responseJsonSchema !== undefined;
      if (config.responseSchema !== undefined && config.responseJsonSchema !== undefined) {
        return 'Only one of response_schema and response_json_schema may be set.';
      }
      if (hasSchema && config.responseMimeType !== 'application/json') {
        return "* GenerateContentRequest.generation_config.response_mime_type: When a response schema is set, response_mime_type must be 'application/json'.";
      }
      if (hasSchema && !isRecord(config.responseJsonSchema ?? config.responseSchema)) return 'response schema must be an object';
    }
    return undefined;
  },
  reply(request, behaviour: Reply) {
    const response = fixtureJson<Json>('gemini/generate-content.json');
    const candidate = response.candidates[0];
    candidate.content.parts[0].text = behaviour.text ?? candidate.content.parts[0].text;
    candidate.finishReason = finishReason(behaviour);
    response.modelVersion = modelOf(request);
    if (behaviour.usage) response.usageMetadata = usageOf(behaviour.usage, true);
    return response;
  },
  streamReply(request, behaviour: Reply): SseEvent[] {
    const chunks = parseSse(fixtureText('gemini/stream-generate-content.sse')).map((event) => JSON.parse(event.data) as Json);
    const recordedText = chunks.map((chunk) => chunk.candidates[0].content.parts[0].text as string).join('');
    const template = chunks[0]!;
    const last = chunks.at(-1)!;
    const pieces = splitText(behaviour.text ?? recordedText);
    return pieces.map((piece, index) => {
      const final = index === pieces.length - 1;
      const chunk = structuredClone(final ? last : template);
      chunk.candidates[0].content.parts[0].text = piece;
      chunk.modelVersion = modelOf(request);
      if (final) chunk.candidates[0].finishReason = finishReason(behaviour);
      if (behaviour.usage) chunk.usageMetadata = usageOf(behaviour.usage, final);
      return { data: JSON.stringify(chunk) };
    });
  },
  error(kind, values) {
    switch (kind) {
      case 'auth':
        return { status: 400, body: fixtureJson('gemini/error-400-api-key-invalid.json', { apiKey: values.apiKey }) };
      case 'rate-limit':
        return { status: 429, body: fixtureJson('gemini/error-429-resource-exhausted.json', { retryDelay: `${values.retryAfterSeconds ?? 1}s` }) };
      case 'server':
        return { status: 500, body: fixtureJson('gemini/error-500-internal.json') };
      case 'overloaded':
        return { status: 503, body: fixtureJson('gemini/error-503-unavailable.json') };
      case 'context-overflow':
        return { status: 400, body: fixtureJson('gemini/error-400-token-limit.json') };
    }
  },
  invalid: (message) => ({ status: 400, body: fixtureJson('gemini/error-400-invalid-argument.json', { message }) }),
};

/** Starts a fake Gemini API server; its `url` is the origin, like `https://generativelanguage.googleapis.com`. */
export function startFakeGemini(options: FakeProviderOptions = {}): Promise<FakeProviderServer> {
  return startFakeProviderServer(geminiDialect, options);
}
