import { fileURLToPath } from 'node:url';
import { ModelConfig } from '@troupe/models';
import { TroupeError } from '@troupe/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { createLlamaRuntime } from './llama-runtime.js';
import { createModelStore } from './model-store.js';

const modelsDirectory = process.env.TROUPE_MODELS_DIR ?? fileURLToPath(new URL('../../../../shared/models', import.meta.url));
const runtime = createLlamaRuntime({ threads: 1 });
const stories = ModelConfig.parse({ id: 'stories260k', provider: 'llama-cpp', path: 'stories260K.gguf' });

afterAll(() => runtime.dispose());

describe('model store', () => {
  it('loads a model once for concurrent callers and unloads it after the last release', async () => {
    await using store = createModelStore({ runtime, modelsDirectory });
    const progress: number[][] = [[], [], []];
    const leases = await Promise.all(progress.map((seen) => store.acquire(stories, { onProgress: (value) => seen.push(value) })));
    const [first, second, third] = leases;
    expect(second?.model).toBe(first?.model);
    expect(third?.model).toBe(first?.model);
    for (const seen of progress) expect(seen.at(-1)).toBe(1);
    expect(store.loadedModelIds()).toEqual(['stories260k']);

    // A caller arriving after the load gets the same model and an immediate 1.
    const late: number[] = [];
    const fourth = await store.acquire(stories, { onProgress: (value) => late.push(value) });
    expect(fourth.model).toBe(first?.model);
    expect(late).toEqual([1]);

    for (const lease of [...leases, fourth]) await lease.release();
    await fourth.release(); // idempotent: must not drive the count below zero
    expect(store.loadedModelIds()).toEqual([]);
    expect(first?.model.disposed).toBe(true);
  });

  it('refuses the same id from a different path with CONFIG_INVALID', async () => {
    await using store = createModelStore({ runtime, modelsDirectory });
    const lease = await store.acquire(stories);
    const other = ModelConfig.parse({ ...stories, path: 'llama-2-tiny-random.gguf' });
    const error = await store.acquire(other).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TroupeError);
    expect((error as TroupeError).code).toBe('CONFIG_INVALID');
    await lease.release();
  });

  it('lets a failed load be retried and disposes what it holds', async () => {
    const store = createModelStore({ runtime, modelsDirectory: '/nonexistent' });
    const error = await store.acquire(stories).catch((caught: unknown) => caught);
    expect((error as TroupeError).code).toBe('MODEL_NOT_FOUND');
    expect(store.loadedModelIds()).toEqual([]);
    const lease = await store.acquire(stories, { modelsDirectory });
    await store.dispose();
    expect(lease.model.disposed).toBe(true);
    const afterDispose = await store.acquire(stories).catch((caught: unknown) => caught);
    expect((afterDispose as TroupeError).code).toBe('DISPOSED');
  });
});
