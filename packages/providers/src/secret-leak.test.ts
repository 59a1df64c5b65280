import { ModelConfig, type CallOptions, type LanguageModel } from '@troupe/models';
import { startFakeAnthropic, startFakeGemini, startFakeOpenAI, type FakeBehaviour } from '@troupe/testing';
import { describe, expect, it } from 'vitest';
import { createAnthropicModel } from './anthropic-model.js';
import { createGeminiModel } from './gemini-model.js';
import type { Logger } from './logger.js';
import { createOpenAIModel } from './openai-model.js';

const PLANTED = 'sk-troupe-PLANTED-4f9c2e7a1b3d5f60a8c7';
const FRAGMENT = 'PLANTED-4f9c2e7a';

/** JSON with every Error expanded: message, stack, own fields (code, details) and the cause chain. */
function serialise(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item instanceof Error
      ? Object.fromEntries(Object.getOwnPropertyNames(item).map((name) => [name, (item as unknown as Record<string, unknown>)[name]]))
      : item,
  );
}

function recordingLogger(lines: string[], bindings: Record<string, unknown> = {}): Logger {
  const write = (level: string) => (object: Record<string, unknown>, message?: string) => lines.push(serialise({ level, ...bindings, ...object, message }));
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error'), child: (more) => recordingLogger(lines, { ...bindings, ...more }) };
}

const providers = [
  { name: 'openai', start: startFakeOpenAI, create: createOpenAIModel },
  { name: 'anthropic', start: startFakeAnthropic, create: createAnthropicModel },
  { name: 'gemini', start: startFakeGemini, create: createGeminiModel },
] as const;

const schema = { type: 'object', properties: { a: { type: 'integer' } }, required: ['a'], additionalProperties: false };

describe.each(providers)('$name never lets the API key out', ({ name, start, create }) => {
  it('keeps a planted key out of every result, error, cause and log line, even when the API echoes it', async () => {
    // The fake accepts a different key, so the planted one is rejected and echoed back in the
    // 401 body (worse than the real APIs, which mask or omit it).
    await using rejecting = await start({ apiKey: 'the-accepted-key' });
    await using accepting = await start({ apiKey: PLANTED });
    const echoed = await fetch(`${rejecting.url}${name === 'openai' ? '/chat/completions' : name === 'anthropic' ? '/v1/messages' : '/v1beta/models/m:generateContent'}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${PLANTED}`, 'x-api-key': PLANTED, 'x-goog-api-key': PLANTED, 'content-type': 'application/json' },
      body: '{}',
    }).then((response) => response.text());
    expect(echoed).toContain(PLANTED); // the test would catch a leak: the key is really on the wire

    const lines: string[] = [];
    const outputs: unknown[] = [];
    const logger = recordingLogger(lines);
    const env = { PLANTED_KEY: PLANTED };
    const modelFor = (url: string, timeoutMs = 2_000): LanguageModel =>
      create(ModelConfig.parse({ id: 'leak-check', provider: name, model: 'm', baseUrl: url, apiKeyEnv: 'PLANTED_KEY', timeoutMs }), env, { logger });
    const call: CallOptions = { messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'hi' }] };
    const settle = async (work: () => Promise<unknown>) => outputs.push(await work().catch((error: unknown) => error));
    const drain = async (model: LanguageModel, options: CallOptions) => {
      const parts: unknown[] = [];
      for await (const part of model.doStream(options)) parts.push(part);
      return parts;
    };

    const rejected = modelFor(rejecting.url);
    await settle(() => rejected.doGenerate(call));
    await settle(() => drain(rejected, call));

    const model = modelFor(accepting.url);
    const fast = modelFor(accepting.url, 200);
    const faults: FakeBehaviour[] = [
      { type: 'error', error: 'rate-limit', retryAfterSeconds: 1 },
      { type: 'error', error: 'server' },
      { type: 'error', error: 'context-overflow' },
      { type: 'malformed' },
      { type: 'cut' },
    ];
    for (const fault of faults) {
      accepting.enqueue(fault);
      await settle(() => model.doGenerate(call));
    }
    accepting.enqueue({ type: 'cut', afterEvents: 2 });
    await settle(() => drain(model, call));
    accepting.enqueue({ type: 'hang' });
    await settle(() => fast.doGenerate(call));
    accepting.enqueue({ type: 'reply', text: 'not json' });
    await settle(() => model.doGenerate({ ...call, responseSchema: schema }));
    await settle(() => model.doGenerate(call));
    await settle(() => drain(model, call));

    expect(outputs.filter((output) => output instanceof Error).length).toBeGreaterThanOrEqual(10);
    expect(lines.length).toBeGreaterThanOrEqual(10);
    const everything = [...outputs.map(serialise), ...lines].join('\n');
    expect(everything).toContain('leak-check'); // the dump really holds errors and logs
    expect(everything).not.toContain(PLANTED);
    expect(everything).not.toContain(FRAGMENT);
  });
});
