import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StreamPart } from '@troupe/models';
import { TroupeError } from '@troupe/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlamaLanguageModel, type LlamaLanguageModel } from './llama-language-model.js';
import { createLlamaRuntime, getSharedLlamaRuntime } from './llama-runtime.js';
import { createModelStore } from './model-store.js';

// Real GGUF files (see shared/models/MANIFEST.md); threads: 1 is fastest for these tiny models.
const modelsDirectory = process.env.TROUPE_MODELS_DIR ?? fileURLToPath(new URL('../../../../shared/models', import.meta.url));
const stories = { id: 'stories260k', provider: 'llama-cpp', path: 'stories260K.gguf', threads: 1 } as const;
const tinyRandom = { id: 'llama-2-tiny-random', provider: 'llama-cpp', path: 'llama-2-tiny-random.gguf', threads: 1 } as const;
const ask = (content: string) => [{ role: 'user' as const, content }];

async function failure(promise: Promise<unknown>): Promise<TroupeError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  if (!(error instanceof TroupeError)) throw new Error(`expected a TroupeError, got ${String(error)}`);
  return error;
}

afterAll(() => getSharedLlamaRuntime().dispose());

describe('llama language model on stories260K', () => {
  let model: LlamaLanguageModel;
  beforeAll(async () => {
    model = createLlamaLanguageModel(stories, { modelsDirectory });
    await model.load();
  });
  afterAll(() => model.dispose());

  it('loads with the requested threads, the model chat template and a context capped at the training size', async () => {
    const info = await model.load();
    expect(model.provider).toBe('llama-cpp');
    expect(info).toMatchObject({ modelId: 'stories260k', threads: 1, sequences: 2, concurrency: 2, trainContextSize: 2048, chatTemplate: 'Llama2Chat' });
    expect(info.contextSize).toBe(2048); // the registry default of 4096 exceeds what it was trained on
    expect(['cpu', 'cuda', 'vulkan', 'metal']).toContain(info.backend);
  });

  it('produces JSON that parses and follows the schema when given a responseSchema', async () => {
    const schema = {
      type: 'object',
      properties: { name: { type: 'string', maxLength: 30 }, city: { type: 'string', maxLength: 30 }, age: { type: 'integer' } },
      required: ['name', 'city', 'age'],
      additionalProperties: false,
    };
    const result = await model.doGenerate({ messages: ask('Tell me about a person as JSON.'), responseSchema: schema, maxOutputTokens: 300 });
    expect(result.finishReason).toBe('stop');
    const value = JSON.parse(result.text) as Record<string, unknown>;
    expect(Object.keys(value).sort()).toEqual(['age', 'city', 'name']);
    expect(typeof value.name).toBe('string');
    expect((value.name as string).length).toBeLessThanOrEqual(30);
    expect(typeof value.city).toBe('string');
    expect(Number.isInteger(value.age)).toBe(true);
    // Every local answer carries the probabilities of its tokens; grammar-forced tokens score 1.
    expect(result.metrics.confidenceMin).toBeGreaterThan(0);
    expect(result.metrics.confidenceMin!).toBeLessThanOrEqual(result.metrics.confidenceMean!);
    expect(result.metrics.confidenceMean).toBeLessThanOrEqual(1);
  });

  it('streams text deltas, then one finish part whose usage counts exactly the generated tokens', async () => {
    const parts: StreamPart[] = [];
    for await (const part of model.doStream({ messages: ask('Once upon a time'), maxOutputTokens: 24 })) parts.push(part);
    const finish = parts.at(-1);
    const deltas = parts.slice(0, -1);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.every((part) => part.type === 'text-delta' && part.delta.length > 0)).toBe(true);
    if (finish?.type !== 'finish') throw new Error('the stream did not end with a finish part');
    // stories260K never emits an end token this early, so it stops at the limit: exactly 24 sampled tokens.
    expect(finish.finishReason).toBe('length');
    expect(finish.usage.outputTokens).toBe(24);
    const prompt = await model.tokenize('Once upon a time');
    expect(finish.usage.inputTokens).toBeGreaterThan(prompt.length); // the chat template adds [INST] ... [/INST]
    expect(finish.metrics.timeToFirstTokenMs).toBeGreaterThan(0);
    expect(finish.metrics.timeToFirstTokenMs).toBeLessThanOrEqual(finish.metrics.latencyMs);
    expect(finish.metrics.tokensPerSecond).toBeGreaterThan(0);
    expect(finish.metrics.queueWaitMs).toBeGreaterThanOrEqual(0);

    const generated = await model.doGenerate({ messages: ask('Once upon a time'), maxOutputTokens: 24 });
    const streamed = deltas.map((part) => (part.type === 'text-delta' ? part.delta : '')).join('');
    expect(streamed).toBe(generated.text); // greedy by default, so both paths must agree token for token
    expect(generated.usage).toEqual(finish.usage);
  });

  it('continues a trailing assistant message instead of starting a new answer', async () => {
    const result = await model.doGenerate({
      messages: [...ask('Tell me a story.'), { role: 'assistant', content: 'Once upon a time' }],
      maxOutputTokens: 8,
    });
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.text.startsWith('Once upon a time')).toBe(false);
  });

  it('frees the sequence when a stream consumer stops early, so the next call runs', async () => {
    for await (const part of model.doStream({ messages: ask('Once upon a time'), maxOutputTokens: 1000 })) {
      expect(part.type).toBe('text-delta');
      break;
    }
    const next = await model.doGenerate({ messages: ask('Hello'), maxOutputTokens: 4 });
    expect(next.usage.outputTokens).toBe(4);
  });

  it('refuses a schema the grammar cannot enforce with UNSUPPORTED_SCHEMA', async () => {
    const error = await failure(model.doGenerate({ messages: ask('x'), responseSchema: { type: 'string', pattern: '^[a-z]+$' } }));
    expect(error.code).toBe('UNSUPPORTED_SCHEMA');
    expect(error.retryable).toBe(false);
  });

  it('rejects a prompt longer than the context with CONTEXT_OVERFLOW before generating', async () => {
    const small = createLlamaLanguageModel({ ...stories, contextSize: 128 }, { modelsDirectory });
    try {
      // llama.cpp rounds context sizes up to a multiple of 256; the real size is the limit.
      const { contextSize } = await small.load();
      expect(contextSize).toBeLessThan(2048);
      const started = performance.now();
      const error = await failure(small.doGenerate({ messages: ask('once upon a time there was a cat '.repeat(40)), maxOutputTokens: 4 }));
      expect(error.code).toBe('CONTEXT_OVERFLOW');
      expect(error.details).toMatchObject({ contextSize });
      expect(error.details?.inputTokens).toBeGreaterThan(contextSize);
      expect(performance.now() - started).toBeLessThan(2_000);
      // A prompt that fits still works, its limit lowered to the room left.
      const fits = await small.doGenerate({ messages: ask('Once upon a time'), maxOutputTokens: 5_000 });
      expect(fits.finishReason).toBe('length');
      expect(fits.usage.inputTokens + fits.usage.outputTokens).toBe(contextSize - 1);
    } finally {
      await small.dispose();
    }
  });
});

describe('llama language model on llama-2-tiny-random', () => {
  let model: LlamaLanguageModel;
  beforeAll(() => {
    model = createLlamaLanguageModel(tinyRandom, { modelsDirectory });
  });
  afterAll(() => model.dispose());

  it('loads and generates', async () => {
    const result = await model.doGenerate({ messages: ask('Hello there'), maxOutputTokens: 12 });
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.finishReason).toBe('length');
    expect(result.usage.outputTokens).toBe(12);
  });

  it('tokenizes with the real Llama-2 tokenizer and round-trips', async () => {
    // "▁Hello" and "▁world" are ids 15043 and 3186 in the 32k Llama-2 SentencePiece vocabulary.
    expect(await model.tokenize('Hello world')).toEqual([15043, 3186]);
    const tokens = await model.tokenize('The quick brown fox jumps over the lazy dog.');
    expect(tokens.length).toBeGreaterThan(5);
    expect(await model.detokenize(tokens)).toBe('The quick brown fox jumps over the lazy dog.');
  });
});

describe('llama language model load failures', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'troupe-llama-'));
    await writeFile(path.join(directory, 'junk.gguf'), Buffer.from('definitely not a model'.repeat(100)));
    // Right magic and version, garbage after it: gets past our check into node-llama-cpp's parser.
    const garbage = Buffer.alloc(4096, 0xff);
    await writeFile(path.join(directory, 'garbage.gguf'), Buffer.concat([Buffer.from('GGUF'), Buffer.from([3, 0, 0, 0]), garbage]));
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  it('fails a missing file with MODEL_NOT_FOUND naming the path and TROUPE_MODELS_DIR', async () => {
    const model = createLlamaLanguageModel({ id: 'ghost', provider: 'llama-cpp', path: 'ghost.gguf' }, { modelsDirectory: directory });
    const error = await failure(model.doGenerate({ messages: ask('hi') }));
    expect(error.code).toBe('MODEL_NOT_FOUND');
    expect(error.message).toContain(path.join(directory, 'ghost.gguf'));
    expect(error.message).toContain('TROUPE_MODELS_DIR');
  });

  it('fails corrupt files with MODEL_LOAD_FAILED and keeps the process serving other models', async () => {
    for (const file of ['junk.gguf', 'garbage.gguf']) {
      const model = createLlamaLanguageModel({ id: `bad-${file.replace('.gguf', '')}`, provider: 'llama-cpp', path: file }, { modelsDirectory: directory });
      const error = await failure(model.load());
      expect(error.code).toBe('MODEL_LOAD_FAILED');
      expect(error.message).toContain(file);
      await model.dispose();
    }
    const healthy = createLlamaLanguageModel(stories, { modelsDirectory });
    expect((await healthy.doGenerate({ messages: ask('Hi'), maxOutputTokens: 3 })).usage.outputTokens).toBe(3);
    await healthy.dispose();
  });

  it('reports a model that does not fit in memory as MODEL_LOAD_FAILED with a readable reason', async () => {
    // A RAM cap on a private CPU runtime makes node-llama-cpp's own memory check refuse the context.
    await using runtime = createLlamaRuntime({ gpu: false, threads: 1 });
    await using store = createModelStore({ runtime, modelsDirectory });
    await (await runtime.getLlama()).setRamCap(64 * 1024);
    const model = createLlamaLanguageModel(stories, { store });
    const error = await failure(model.load());
    expect(error.code).toBe('MODEL_LOAD_FAILED');
    expect(error.message).toMatch(/does not fit in memory/);
    expect(error.details).toMatchObject({ reason: 'insufficient-memory' });
    expect(store.loadedModelIds()).toEqual([]); // the failed load released its model
    await model.dispose();
  });

  it('reports load progress from 0 to 1', async () => {
    await using store = createModelStore({ runtime: getSharedLlamaRuntime(), modelsDirectory });
    const progress: number[] = [];
    const model = createLlamaLanguageModel(tinyRandom, { store, onLoadProgress: (value) => progress.push(value) });
    const viaLoad: number[] = [];
    await model.load({ onProgress: (value) => viaLoad.push(value) });
    // llama.cpp reports intermediate steps only when loading takes a while; 1 always comes last.
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(viaLoad).toEqual(progress);
    expect(progress.every((value, index) => value >= 0 && value <= 1 && value > (progress[index - 1] ?? -1))).toBe(true);
    expect(progress.at(-1)).toBe(1);
    const again: number[] = [];
    await model.load({ onProgress: (value) => again.push(value) });
    expect(again).toEqual([1]); // already loaded: one immediate 1
    await model.dispose();
  });
});
