import { TroupeError } from '@troupe/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createLlamaRuntime, getSharedLlamaRuntime } from './llama-runtime.js';
import { estimatePhysicalCores } from './physical-cores.js';

describe('llama runtime', () => {
  const savedGpu = process.env.TROUPE_LLAMA_GPU;
  afterEach(() => {
    if (savedGpu === undefined) delete process.env.TROUPE_LLAMA_GPU;
    else process.env.TROUPE_LLAMA_GPU = savedGpu;
  });

  it('defaults threads to the physical core estimate and caps llama.cpp at it', async () => {
    await using runtime = createLlamaRuntime({ gpu: false });
    expect(runtime.threads).toBe(estimatePhysicalCores());
    const llama = await runtime.getLlama();
    // node-llama-cpp would otherwise allow max(cpuMathCores, 4) threads.
    expect(llama.maxThreads).toBe(runtime.threads);
    expect(await runtime.info()).toMatchObject({ backend: 'cpu', threads: runtime.threads, fellBackToCpu: false });
  });

  it('shares one backend between concurrent callers and disposes it once', async () => {
    const runtime = createLlamaRuntime({ gpu: false, threads: 1 });
    const [first, second] = await Promise.all([runtime.getLlama(), runtime.getLlama()]);
    expect(second).toBe(first);
    await Promise.all([runtime.dispose(), runtime.dispose()]);
    expect(first.disposed).toBe(true);
    const error = await runtime.getLlama().catch((caught: unknown) => caught);
    expect((error as TroupeError).code).toBe('DISPOSED');
  });

  it('auto-detects a GPU backend or runs on the CPU', async () => {
    await using runtime = createLlamaRuntime({ gpu: 'auto', threads: 1 });
    const info = await runtime.info();
    expect(['cpu', 'cuda', 'vulkan', 'metal']).toContain(info.backend);
    expect(info.fellBackToCpu).toBe(false);
  });

  it('hands out one process-wide runtime until it is disposed', async () => {
    const shared = getSharedLlamaRuntime({ threads: 1 });
    expect(getSharedLlamaRuntime()).toBe(shared);
    await shared.dispose();
    expect(getSharedLlamaRuntime()).not.toBe(shared);
    await getSharedLlamaRuntime().dispose();
  });

  it('rejects bad thread counts and unknown GPU names with CONFIG_INVALID', () => {
    expect(() => createLlamaRuntime({ threads: 0 })).toThrow(TroupeError);
    process.env.TROUPE_LLAMA_GPU = 'quantum';
    expect(() => createLlamaRuntime({ threads: 1 })).toThrow(/TROUPE_LLAMA_GPU/);
    process.env.TROUPE_LLAMA_GPU = 'cpu';
    expect(() => createLlamaRuntime({ threads: 1 })).not.toThrow();
  });
});
