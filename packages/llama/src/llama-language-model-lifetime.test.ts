import { fileURLToPath } from 'node:url';
import { TroupeError } from '@troupe/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { createLlamaLanguageModel } from './llama-language-model.js';
import { getSharedLlamaRuntime } from './llama-runtime.js';

// Concurrency, cancellation, deadlines, disposal and leaks, on the real stories260K file.
const modelsDirectory = process.env.TROUPE_MODELS_DIR ?? fileURLToPath(new URL('../../../../shared/models', import.meta.url));
const stories = { id: 'stories260k', provider: 'llama-cpp', path: 'stories260K.gguf', threads: 1 } as const;
const story = [{ role: 'user' as const, content: 'Tell me a long story.' }];

async function failure(promise: Promise<unknown>): Promise<TroupeError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  if (!(error instanceof TroupeError)) throw new Error(`expected a TroupeError, got ${String(error)}`);
  return error;
}

afterAll(() => getSharedLlamaRuntime().dispose());

describe('llama language model lifetime', () => {
  it('refuses a call with BUSY at once when every sequence is busy and the queue is full', async () => {
    await using model = createLlamaLanguageModel({ ...stories, maxConcurrency: 2, maxQueue: 1 }, { modelsDirectory });
    await model.load();
    const finished: number[] = [];
    const calls = [0, 1, 2].map((index) =>
      model.doGenerate({ messages: story, maxOutputTokens: 120 }).then((result) => (finished.push(index), result)),
    );
    const started = performance.now();
    const busy = await failure(model.doGenerate({ messages: story, maxOutputTokens: 120 }));
    expect(busy.code).toBe('BUSY');
    expect(busy.retryable).toBe(true);
    expect(performance.now() - started).toBeLessThan(100);
    expect(finished).toEqual([]); // refused while the others were still running, not after
    const results = await Promise.all(calls);
    expect(results.map((result) => result.usage.outputTokens)).toEqual([120, 120, 120]);
    // Two sequences ran at once; the third waited for one of them.
    expect(results[2]?.metrics.queueWaitMs).toBeGreaterThan(results[0]?.metrics.queueWaitMs ?? 0);
  });

  it('rejects with CANCELLED when aborted mid-generation, and the next call works', async () => {
    await using model = createLlamaLanguageModel(stories, { modelsDirectory });
    const controller = new AbortController();
    let deltas = 0;
    const stream = (async () => {
      for await (const part of model.doStream({ messages: story, maxOutputTokens: 1_500, signal: controller.signal })) {
        if (part.type === 'text-delta' && ++deltas === 3) controller.abort();
      }
    })();
    const error = await failure(stream);
    expect(error.code).toBe('CANCELLED');
    expect(deltas).toBe(3);
    const next = await model.doGenerate({ messages: story, maxOutputTokens: 5 });
    expect(next.usage.outputTokens).toBe(5);
  });

  it('cancels a call still waiting in the queue without disturbing the running one', async () => {
    await using model = createLlamaLanguageModel({ ...stories, maxConcurrency: 1, maxQueue: 4 }, { modelsDirectory });
    await model.load();
    const running = model.doGenerate({ messages: story, maxOutputTokens: 200 });
    const controller = new AbortController();
    const queued = model.doGenerate({ messages: story, maxOutputTokens: 200, signal: controller.signal });
    controller.abort();
    expect((await failure(queued)).code).toBe('CANCELLED');
    expect((await running).usage.outputTokens).toBe(200);
  });

  it('ends a call that outlives timeoutMs with TIMEOUT', async () => {
    await using model = createLlamaLanguageModel({ ...stories, timeoutMs: 40 }, { modelsDirectory });
    await model.load();
    const error = await failure(model.doGenerate({ messages: story, maxOutputTokens: 1_900 }));
    expect(error.code).toBe('TIMEOUT');
    expect(error.retryable).toBe(true);
  });

  it('aborts running calls with DISPOSED, disposes idempotently, and refuses later calls', async () => {
    const model = createLlamaLanguageModel(stories, { modelsDirectory });
    await model.load();
    const running = model.doGenerate({ messages: story, maxOutputTokens: 1_500 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await Promise.all([model.dispose(), model.dispose()]);
    expect((await failure(running)).code).toBe('DISPOSED');
    expect(model.disposed).toBe(true);
    expect((await failure(model.doGenerate({ messages: story }))).code).toBe('DISPOSED');
    await model.dispose();
  });

  it('does not grow memory over 200 sequential calls', async () => {
    await using model = createLlamaLanguageModel(stories, { modelsDirectory });
    const call = (index: number) =>
      model.doGenerate({
        messages: story,
        maxOutputTokens: 16,
        ...(index % 2 === 0 ? { responseSchema: { type: 'object', properties: { title: { type: 'string', maxLength: 8 } } } } : {}),
      });
    for (let index = 0; index < 20; index += 1) await call(index); // warm up allocators and caches
    const before = process.memoryUsage().rss;
    for (let index = 0; index < 200; index += 1) await call(index);
    const grownMb = (process.memoryUsage().rss - before) / 1024 / 1024;
    expect(grownMb).toBeLessThan(50);
  });
});
