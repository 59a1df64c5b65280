import { ModelConfig, type StreamPart } from '@troupe/models';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import { startFakeOpenAI, type FakeProviderServer } from '@troupe/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOpenAIModel } from './openai-model.js';

type Body = Record<string, any>;
const env = { OPENAI_API_KEY: 'sk-test-openai' };
const closed = { type: 'object', title: 'person card', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false };
const open = { type: 'object', properties: { name: { type: 'string' } } };

async function drain(stream: AsyncIterable<StreamPart>) {
  for await (const _part of stream);
}

describe('createOpenAIModel', () => {
  let fake: FakeProviderServer;
  beforeEach(async () => {
    fake = await startFakeOpenAI({ apiKey: env.OPENAI_API_KEY });
  });
  afterEach(() => fake.close());
  const config = (overrides: Record<string, unknown> = {}) =>
    ModelConfig.parse({ id: 'mini', provider: 'openai', model: 'gpt-4o-mini', baseUrl: fake.url, ...overrides });

  it('sends a Chat Completions request with a bearer key, every role and max_completion_tokens', async () => {
    const model = createOpenAIModel(config(), env);
    await model.doGenerate({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
        { role: 'user', content: 'Again' },
      ],
      maxOutputTokens: 77,
      temperature: 0.2,
    });
    const request = fake.requests[0]!;
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBe(`Bearer ${env.OPENAI_API_KEY}`);
    const body = request.body as Body;
    expect(body).toMatchObject({ model: 'gpt-4o-mini', max_completion_tokens: 77, temperature: 0.2 });
    expect(body.messages.map((message: Body) => message.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(body.stream_options).toBeUndefined();
  });

  it('asks for usage in the stream with stream_options.include_usage', async () => {
    await drain(createOpenAIModel(config(), env).doStream({ messages: [{ role: 'user', content: 'Hi' }] }));
    expect((fake.requests[0]!.body as Body).stream_options).toEqual({ include_usage: true });
  });

  it('uses strict json_schema mode when the schema allows it, non-strict otherwise', async () => {
    const model = createOpenAIModel(config(), env);
    fake.enqueue({ type: 'reply', text: '{"name":"Ada"}' }, { type: 'reply', text: '{"name":"Ada"}' });
    await model.doGenerate({ messages: [{ role: 'user', content: 'Who?' }], responseSchema: closed });
    await model.doGenerate({ messages: [{ role: 'user', content: 'Who?' }], responseSchema: open });
    const [strict, loose] = fake.requests.map((request) => (request.body as Body).response_format);
    expect(strict).toEqual({ type: 'json_schema', json_schema: { name: 'person_card', schema: closed, strict: true } });
    expect(loose.json_schema.strict).toBe(false);
    expect(fake.requests.every((request) => request.rejected === undefined)).toBe(true);
  });

  it('fails fast with UNSUPPORTED_SCHEMA before spending a request on a schema that does not compile', async () => {
    const model = createOpenAIModel(config(), env);
    const error = await model.doGenerate({ messages: [{ role: 'user', content: 'x' }], responseSchema: { type: 'no-such-type' } }).catch((thrown) => thrown);
    expect((error as TroupeError).code).toBe(ErrorCode.UNSUPPORTED_SCHEMA);
    expect(fake.requests).toHaveLength(0);
  });

  it('serves openai-compatible servers without a key, with max_tokens', async () => {
    const keyless = await startFakeOpenAI({ apiKey: 'no-key' });
    try {
      const model = createOpenAIModel(ModelConfig.parse({ id: 'local', provider: 'openai-compatible', model: 'qwen2.5', baseUrl: keyless.url }), {});
      const result = await model.doGenerate({ messages: [{ role: 'user', content: 'Hi' }], maxOutputTokens: 12 });
      expect(result.text).toBe('Hello! How can I assist you today?');
      expect(model.provider).toBe('openai-compatible');
      expect((keyless.requests[0]!.body as Body).max_tokens).toBe(12);
    } finally {
      await keyless.close();
    }
  });

  it('requires the key when an openai-compatible config names a variable', () => {
    expect(() => createOpenAIModel(config({ provider: 'openai-compatible', apiKeyEnv: 'GROQ_API_KEY' }), {})).toThrow(/GROQ_API_KEY/);
  });

  it('does not pick up OPENAI_ORG_ID or OPENAI_PROJECT_ID from the process environment', async () => {
    process.env.OPENAI_ORG_ID = 'org-should-not-leak';
    process.env.OPENAI_PROJECT_ID = 'proj-should-not-leak';
    try {
      await createOpenAIModel(config(), env).doGenerate({ messages: [{ role: 'user', content: 'Hi' }] });
    } finally {
      delete process.env.OPENAI_ORG_ID;
      delete process.env.OPENAI_PROJECT_ID;
    }
    expect(fake.requests[0]!.headers['openai-organization']).toBeUndefined();
    expect(fake.requests[0]!.headers['openai-project']).toBeUndefined();
  });

  it('refuses a config for another provider', () => {
    expect(() => createOpenAIModel(config({ provider: 'anthropic' }), env)).toThrow(TroupeError);
  });
});
