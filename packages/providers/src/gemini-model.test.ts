import { ModelConfig, type StreamPart } from '@troupe/models';
import { startFakeGemini, type FakeProviderServer } from '@troupe/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGeminiModel } from './gemini-model.js';

type Body = Record<string, any>;
const env = { GEMINI_API_KEY: 'gemini-test-key' };

describe('createGeminiModel', () => {
  let fake: FakeProviderServer;
  beforeEach(async () => {
    fake = await startFakeGemini({ apiKey: env.GEMINI_API_KEY });
  });
  afterEach(() => fake.close());
  const config = () => ModelConfig.parse({ id: 'flash', provider: 'gemini', model: 'gemini-2.5-flash', baseUrl: fake.url });

  it('calls models/{model}:generateContent with x-goog-api-key, systemInstruction and model roles', async () => {
    await createGeminiModel(config(), env).doGenerate({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
        { role: 'user', content: 'Again' },
      ],
      maxOutputTokens: 33,
    });
    const request = fake.requests[0]!;
    expect(request.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(request.credentialSource).toBe('x-goog-api-key');
    const body = request.body as Body;
    expect(body.systemInstruction.parts).toEqual([{ text: 'Be brief.' }]);
    expect(body.contents.map((content: Body) => content.role)).toEqual(['user', 'model', 'user']);
    expect(body.generationConfig).toEqual({ maxOutputTokens: 33 });
  });

  it('streams from :streamGenerateContent?alt=sse', async () => {
    const parts: StreamPart[] = [];
    for await (const part of createGeminiModel(config(), env).doStream({ messages: [{ role: 'user', content: 'Hi' }] })) parts.push(part);
    expect(fake.requests[0]!.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent');
    expect(fake.requests[0]!.query.get('alt')).toBe('sse');
    // The recorded stream: prompt 8 tokens, 7 candidate tokens reported only on the last chunk.
    expect(parts.at(-1)).toMatchObject({ type: 'finish', usage: { inputTokens: 8, outputTokens: 7, cachedInputTokens: 0 } });
    expect(parts.filter((part) => part.type === 'text-delta').map((part) => (part as { delta: string }).delta).join('')).toBe('AI learns patterns from data.');
  });

  it('asks for JSON with responseMimeType and responseJsonSchema, without $schema', async () => {
    fake.enqueue({ type: 'reply', text: '{"n":1}' });
    const schema = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] };
    const result = await createGeminiModel(config(), env).doGenerate({ messages: [{ role: 'user', content: 'n?' }], responseSchema: schema });
    expect(result.text).toBe('{"n":1}');
    const { $schema: _dialect, ...wire } = schema;
    expect((fake.requests[0]!.body as Body).generationConfig).toMatchObject({ responseMimeType: 'application/json', responseJsonSchema: wire });
  });
});
