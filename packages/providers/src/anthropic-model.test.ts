import { ModelConfig, type StreamPart } from '@troupe/models';
import { startFakeAnthropic, type FakeProviderServer } from '@troupe/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAnthropicModel } from './anthropic-model.js';

type Body = Record<string, any>;
const env = { ANTHROPIC_API_KEY: 'sk-ant-test' };

describe('createAnthropicModel', () => {
  let fake: FakeProviderServer;
  beforeEach(async () => {
    fake = await startFakeAnthropic({ apiKey: env.ANTHROPIC_API_KEY });
  });
  afterEach(() => fake.close());
  const config = () => ModelConfig.parse({ id: 'haiku', provider: 'anthropic', model: 'claude-haiku-4-5', baseUrl: fake.url });

  it('moves system messages to the top-level system field and sends anthropic-version', async () => {
    await createAnthropicModel(config(), env).doGenerate({
      messages: [
        { role: 'system', content: 'Rule one.' },
        { role: 'system', content: 'Rule two.' },
        { role: 'user', content: 'Hi' },
      ],
    });
    const request = fake.requests[0]!;
    expect(request.path).toBe('/v1/messages');
    expect(request.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(request.credentialSource).toBeDefined();
    const body = request.body as Body;
    expect(body.system).toBe('Rule one.\n\nRule two.');
    expect(body.messages).toEqual([{ role: 'user', content: 'Hi' }]);
    // max_tokens is mandatory on this API; the default applies when the call gives none.
    expect(body.max_tokens).toBe(4096);
    expect(request.rejected).toBeUndefined();
  });

  it('asks for JSON through output_config.format', async () => {
    fake.enqueue({ type: 'reply', text: '{"ok":true}' });
    const schema = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] };
    await createAnthropicModel(config(), env).doGenerate({ messages: [{ role: 'user', content: 'ok?' }], responseSchema: schema, maxOutputTokens: 50 });
    const body = fake.requests[0]!.body as Body;
    expect(body.output_config).toEqual({ format: { type: 'json_schema', schema } });
    expect(body.max_tokens).toBe(50);
  });

  it('adds cache reads to inputTokens, as the contract counts every prompt token there', async () => {
    fake.enqueue({ type: 'reply', usage: { inputTokens: 5000, outputTokens: 20, cachedInputTokens: 4000 } });
    const parts: StreamPart[] = [];
    for await (const part of createAnthropicModel(config(), env).doStream({ messages: [{ role: 'user', content: 'Hi' }] })) parts.push(part);
    const finish = parts.at(-1);
    // On the wire: input_tokens 1000 + cache_read_input_tokens 4000.
    expect(finish).toMatchObject({ type: 'finish', usage: { inputTokens: 5000, outputTokens: 20, cachedInputTokens: 4000 } });
  });
});
