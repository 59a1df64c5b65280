import { costOf, ModelConfig, type LanguageModel, type StreamPart } from '@troupe/models';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import { startFakeAnthropic, startFakeGemini, startFakeOpenAI, type FakeProviderServer } from '@troupe/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAnthropicModel } from './anthropic-model.js';
import { createGeminiModel } from './gemini-model.js';
import { createOpenAIModel } from './openai-model.js';

const pricing = { inputPerMTok: 3, outputPerMTok: 15, cachedInputPerMTok: 0.3 };
const messages = [
  { role: 'system' as const, content: 'You are terse.' },
  { role: 'user' as const, content: 'Say hello.' },
];
const schema = {
  type: 'object',
  properties: { name: { type: 'string' }, age: { type: 'integer', minimum: 0 } },
  required: ['name', 'age'],
  additionalProperties: false,
};

const providers = [
  { name: 'openai', start: startFakeOpenAI, create: createOpenAIModel, model: 'gpt-4o-mini' },
  { name: 'anthropic', start: startFakeAnthropic, create: createAnthropicModel, model: 'claude-haiku-4-5' },
  { name: 'gemini', start: startFakeGemini, create: createGeminiModel, model: 'gemini-2.5-flash' },
] as const;

async function collect(stream: AsyncIterable<StreamPart>) {
  const parts: StreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

async function failureOf(promise: Promise<unknown>): Promise<TroupeError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(TroupeError);
  return error as TroupeError;
}

describe.each(providers)('$name provider against its fake API', ({ name, start, create, model: providerModel }) => {
  let fake: FakeProviderServer;
  let model: LanguageModel;
  const env = { TEST_PROVIDER_KEY: 'test-key-conformance' };
  const configOf = (overrides: Record<string, unknown> = {}) =>
    ModelConfig.parse({ id: `${name}-model`, provider: name, model: providerModel, baseUrl: fake.url, apiKeyEnv: 'TEST_PROVIDER_KEY', pricing, timeoutMs: 2_000, ...overrides });

  beforeEach(async () => {
    fake = await start({ apiKey: env.TEST_PROVIDER_KEY });
    model = create(configOf(), env);
  });
  afterEach(() => fake.close());

  it('generates text with exact usage, cached tokens and the right cost', async () => {
    fake.enqueue({ type: 'reply', text: 'Hello there.', usage: { inputTokens: 1200, outputTokens: 7, cachedInputTokens: 1000 } });
    const result = await model.doGenerate({ messages, maxOutputTokens: 64 });
    expect(result.text).toBe('Hello there.');
    expect(result.usage).toEqual({ inputTokens: 1200, outputTokens: 7, cachedInputTokens: 1000 });
    expect(result.finishReason).toBe('stop');
    expect(result.responseModel).toContain(providerModel);
    // 200 fresh × $3 + 1000 cached × $0.30 + 7 × $15, per million tokens.
    expect(costOf(result.usage, pricing)).toBeCloseTo((200 * 3 + 1000 * 0.3 + 7 * 15) / 1e6, 12);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.rejected).toBeUndefined();
  });

  it('reports a max-tokens stop as finishReason "length"', async () => {
    fake.enqueue({ type: 'reply', text: 'Hel', finishReason: 'length' });
    expect((await model.doGenerate({ messages, maxOutputTokens: 1 })).finishReason).toBe('length');
  });

  it('streams deltas and ends with a finish part whose usage comes from the final chunk', async () => {
    fake.enqueue({ type: 'reply', text: 'Streaming works fine.', usage: { inputTokens: 50, outputTokens: 5, cachedInputTokens: 10 } });
    const parts = await collect(model.doStream({ messages }));
    const deltas = parts.filter((part) => part.type === 'text-delta');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((part) => part.delta).join('')).toBe('Streaming works fine.');
    const finish = parts.at(-1)!;
    expect(finish.type).toBe('finish');
    if (finish.type !== 'finish') return;
    expect(finish.usage).toEqual({ inputTokens: 50, outputTokens: 5, cachedInputTokens: 10 });
    expect(costOf(finish.usage, pricing)).toBeCloseTo((40 * 3 + 10 * 0.3 + 5 * 15) / 1e6, 12);
    expect(finish.metrics.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
    expect(fake.requests[0]!.stream).toBe(true);
    expect(fake.requests[0]!.rejected).toBeUndefined();
  });

  it('asks for JSON-schema output and returns validated JSON', async () => {
    fake.enqueue({ type: 'reply', text: '{"name":"Ada","age":36}' });
    const result = await model.doGenerate({ messages, responseSchema: schema });
    expect(JSON.parse(result.text)).toEqual({ name: 'Ada', age: 36 });
    expect(fake.requests[0]!.rejected).toBeUndefined();
    expect(JSON.stringify(fake.requests[0]!.body)).toContain('"additionalProperties":false');
  });

  it('rejects output that breaks the schema with OUTPUT_INVALID, in generate and stream', async () => {
    fake.enqueue({ type: 'reply', text: '{"name":"Ada","age":-1}' }, { type: 'reply', text: '{"name":' });
    const invalid = await failureOf(model.doGenerate({ messages, responseSchema: schema }));
    expect(invalid.code).toBe(ErrorCode.OUTPUT_INVALID);
    expect(invalid.message).toContain('/age must be >= 0');
    const truncated = await failureOf(collect(model.doStream({ messages, responseSchema: schema })));
    expect(truncated.code).toBe(ErrorCode.OUTPUT_INVALID);
  });

  it('maps 429 to RATE_LIMITED with retryAfterMs from the retry-after header', async () => {
    fake.enqueue({ type: 'error', error: 'rate-limit', retryAfterSeconds: 2 });
    const error = await failureOf(model.doGenerate({ messages }));
    expect(error.code).toBe(ErrorCode.RATE_LIMITED);
    expect(error.retryable).toBe(true);
    expect(error.details).toMatchObject({ provider: name, status: 429, retryAfterMs: 2_000 });
  });

  it('prefers retry-after-ms when the API sends it', async () => {
    fake.enqueue({ type: 'error', error: 'rate-limit', retryAfterMs: 150 });
    const error = await failureOf(model.doGenerate({ messages }));
    expect(error.details?.retryAfterMs).toBe(150);
  });

  it('maps 5xx to a retryable PROVIDER_ERROR', async () => {
    fake.enqueue({ type: 'error', error: 'server' }, { type: 'error', error: 'overloaded' });
    for (const status of [500, name === 'anthropic' ? 529 : 503]) {
      const error = await failureOf(model.doGenerate({ messages }));
      expect(error.code).toBe(ErrorCode.PROVIDER_ERROR);
      expect(error.retryable).toBe(true);
      expect(error.details?.status).toBe(status);
    }
  });

  it('maps a context-length 400 to CONTEXT_OVERFLOW', async () => {
    fake.enqueue({ type: 'error', error: 'context-overflow' });
    const error = await failureOf(model.doGenerate({ messages }));
    expect(error.code).toBe(ErrorCode.CONTEXT_OVERFLOW);
    expect(error.retryable).toBe(false);
  });

  it('maps a rejected key to AUTH_FAILED, not retryable', async () => {
    const wrong = create(configOf(), { TEST_PROVIDER_KEY: 'test-key-wrong' });
    const error = await failureOf(wrong.doGenerate({ messages }));
    expect(error.code).toBe(ErrorCode.AUTH_FAILED);
    expect(error.retryable).toBe(false);
    expect(fake.requests[0]!.outcome).toBe('auth-failed');
  });

  it('times out a slow response with TIMEOUT, close to the configured deadline', async () => {
    const impatient = create(configOf({ timeoutMs: 300 }), env);
    fake.enqueue({ type: 'reply', delayMs: 5_000 }, { type: 'hang' });
    const started = performance.now();
    const slow = await failureOf(impatient.doGenerate({ messages }));
    expect(slow.code).toBe(ErrorCode.TIMEOUT);
    expect(slow.retryable).toBe(true);
    const hung = await failureOf(collect(impatient.doStream({ messages })));
    expect(hung.code).toBe(ErrorCode.TIMEOUT);
    // Far below the 5 s the fake would have taken.
    expect(performance.now() - started).toBeLessThan(4_000);
  });

  it('turns a stream cut mid-way into a typed retryable error instead of hanging', async () => {
    fake.enqueue({ type: 'cut', afterEvents: 2 });
    const parts: StreamPart[] = [];
    const error = await failureOf(
      (async () => {
        for await (const part of model.doStream({ messages })) parts.push(part);
      })(),
    );
    expect(error.code).toBe(ErrorCode.PROVIDER_ERROR);
    expect(error.retryable).toBe(true);
    expect(parts.some((part) => part.type === 'finish')).toBe(false);
  });

  it('turns a body cut mid-way and malformed JSON into PROVIDER_ERROR', async () => {
    fake.enqueue({ type: 'cut' }, { type: 'malformed' }, { type: 'malformed' });
    for (const attempt of [() => model.doGenerate({ messages }), () => model.doGenerate({ messages }), () => collect(model.doStream({ messages }))]) {
      const error = await failureOf(attempt());
      expect(error.code).toBe(ErrorCode.PROVIDER_ERROR);
    }
  });

  it('rejects with CANCELLED when the caller aborts, and closes the request', async () => {
    fake.enqueue({ type: 'hang' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await failureOf(model.doGenerate({ messages, signal: controller.signal }));
    expect(error.code).toBe(ErrorCode.CANCELLED);
  });

  it('throws CONFIG_INVALID naming the missing environment variable', () => {
    let thrown: unknown;
    try {
      create(configOf({ apiKeyEnv: 'TROUPE_MISSING_KEY' }), {});
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TroupeError);
    expect((thrown as TroupeError).code).toBe(ErrorCode.CONFIG_INVALID);
    expect((thrown as TroupeError).message).toContain('TROUPE_MISSING_KEY');
  });

  it('makes exactly one HTTP attempt per call: the SDK retries are off', async () => {
    fake.enqueue({ type: 'error', error: 'server' }, { type: 'cut', afterEvents: 2 });
    await failureOf(model.doGenerate({ messages }));
    await failureOf(collect(model.doStream({ messages })));
    expect(fake.requests).toHaveLength(2);
  });
});
