import { createEchoModel, ModelConfig, type StreamPart } from '@troupe/models';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import { createAnthropicModel, createGeminiModel, createOpenAIModel } from '@troupe/providers';
import { startFakeAnthropic, startFakeGemini, startFakeOpenAI, type FakeProviderServer } from '@troupe/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCircuitBreakers } from './circuit-breakers.js';
import { createMemoryBreakerStore } from './memory-breaker-store.js';
import { createResilientModel } from './resilient-model.js';

const env = { OPENAI_API_KEY: 'sk-openai', ANTHROPIC_API_KEY: 'sk-anthropic', GEMINI_API_KEY: 'gemini-key' };
const ask = { messages: [{ role: 'user' as const, content: 'What is 2+2?' }] };
const retry = { maxAttempts: 2, initialDelayMs: 10, random: () => 0 };

async function textOf(stream: AsyncIterable<StreamPart>): Promise<string> {
  let text = '';
  for await (const part of stream) if (part.type === 'text-delta') text += part.delta;
  return text;
}

describe('resilient models over the real provider SDKs and fake APIs', () => {
  let openai: FakeProviderServer;
  let anthropic: FakeProviderServer;
  let gemini: FakeProviderServer;
  beforeEach(async () => {
    [openai, anthropic, gemini] = await Promise.all([
      startFakeOpenAI({ apiKey: env.OPENAI_API_KEY }),
      startFakeAnthropic({ apiKey: env.ANTHROPIC_API_KEY }),
      startFakeGemini({ apiKey: env.GEMINI_API_KEY }),
    ]);
  });
  afterEach(() => Promise.all([openai.close(), anthropic.close(), gemini.close()]));

  const models = (timeoutMs = 5_000) => ({
    gpt: createOpenAIModel(ModelConfig.parse({ id: 'gpt', provider: 'openai', model: 'gpt-4o-mini', baseUrl: openai.url, timeoutMs }), env),
    claude: createAnthropicModel(ModelConfig.parse({ id: 'claude', provider: 'anthropic', model: 'claude-sonnet-4-5', baseUrl: anthropic.url, timeoutMs }), env),
    flash: createGeminiModel(ModelConfig.parse({ id: 'flash', provider: 'gemini', model: 'gemini-2.5-flash', baseUrl: gemini.url, timeoutMs }), env),
  });

  it('waits out a 429 retry-after (seconds) and then succeeds', async () => {
    openai.enqueue({ type: 'error', error: 'rate-limit', retryAfterSeconds: 1 }, { type: 'reply', text: 'four' });
    const model = createResilientModel({ models: [models().gpt], retry });
    const started = performance.now();
    expect((await model.doGenerate(ask)).text).toBe('four');
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(openai.requests).toHaveLength(2);
  });

  it('honours retry-after-ms on Anthropic and RetryInfo on Gemini', async () => {
    anthropic.enqueue({ type: 'error', error: 'rate-limit', retryAfterMs: 300 }, { type: 'reply', text: 'four' });
    gemini.enqueue({ type: 'error', error: 'rate-limit', retryAfterSeconds: 0.3 }, { type: 'reply', text: 'four' });
    for (const model of [models().claude, models().flash]) {
      const started = performance.now();
      expect((await createResilientModel({ models: [model], retry }).doGenerate(ask)).text).toBe('four');
      expect(performance.now() - started).toBeGreaterThanOrEqual(300);
    }
    expect([anthropic.requests.length, gemini.requests.length]).toEqual([2, 2]);
  });

  it('retries a 500 and a per-attempt timeout', async () => {
    openai.enqueue({ type: 'error', error: 'server' }, { type: 'reply', text: 'after 500' }, { type: 'hang' }, { type: 'reply', text: 'after timeout' });
    const model = createResilientModel({ models: [models().gpt], retry, timeoutMs: 1_000 });
    expect((await model.doGenerate(ask)).text).toBe('after 500');
    expect((await model.doGenerate(ask)).text).toBe('after timeout');
    expect(openai.requests).toHaveLength(4);
  });

  it('falls back anthropic → openai → echo, and open breakers then skip both without a request', async () => {
    anthropic.enqueue(...Array.from({ length: 2 }, () => ({ type: 'error', error: 'overloaded' }) as const));
    openai.enqueue(...Array.from({ length: 2 }, () => ({ type: 'error', error: 'server' }) as const));
    const breakers = createCircuitBreakers(createMemoryBreakerStore(), { failureThreshold: 2, cooldownMs: 60_000 });
    const hops: string[] = [];
    const { claude, gpt } = models();
    const model = createResilientModel({
      models: [claude, gpt, createEchoModel()],
      breakers,
      retry,
      onFallback: ({ from, to, error }) => hops.push(`${from.provider}→${to.provider}:${error.code}`),
    });
    expect((await model.doGenerate(ask)).text).toBe('What is 2+2?');
    expect(hops).toEqual(['anthropic→openai:PROVIDER_ERROR', 'openai→echo:PROVIDER_ERROR']);
    expect([anthropic.requests.length, openai.requests.length]).toEqual([2, 2]);
    expect((await breakers.snapshot('anthropic.claude')).phase).toBe('open');

    // Both breakers are open now: the next call reaches the echo model without one HTTP request.
    hops.length = 0;
    expect(await textOf(model.doStream(ask))).toBe('What is 2+2?');
    expect(hops).toEqual(['anthropic→openai:CIRCUIT_OPEN', 'openai→echo:CIRCUIT_OPEN']);
    expect([anthropic.requests.length, openai.requests.length]).toEqual([2, 2]);
  });

  it('on CONTEXT_OVERFLOW goes to the model with the longer context window', async () => {
    anthropic.enqueue({ type: 'error', error: 'context-overflow' });
    gemini.enqueue({ type: 'reply', text: 'long context answer' });
    const { claude, gpt, flash } = models();
    const model = createResilientModel({
      models: [
        { model: claude, contextSize: 200_000 },
        { model: gpt, contextSize: 128_000 },
        { model: flash, contextSize: 1_048_576 },
      ],
      retry,
    });
    expect((await model.doGenerate(ask)).text).toBe('long context answer');
    expect([anthropic.requests.length, openai.requests.length, gemini.requests.length]).toEqual([1, 0, 1]);
  });

  it('retries a stream cut before its first text, but surfaces a cut after text as a typed error', async () => {
    // message_start and content_block_start carry no text yet.
    anthropic.enqueue({ type: 'cut', afterEvents: 2 }, { type: 'reply', text: 'whole answer' });
    const model = createResilientModel({ models: [models().claude], retry });
    expect(await textOf(model.doStream(ask))).toBe('whole answer');
    expect(anthropic.requests).toHaveLength(2);

    anthropic.enqueue({ type: 'cut', afterEvents: 5 });
    const error = await textOf(model.doStream(ask)).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(TroupeError);
    expect((error as TroupeError).code).toBe(ErrorCode.PROVIDER_ERROR);
    expect(anthropic.requests).toHaveLength(3);
  });
});
