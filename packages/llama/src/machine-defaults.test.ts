import { describe, expect, it } from 'vitest';
import { defaultSequences, resolveParallelism, threadsForModel } from './machine-defaults.js';

describe('resolveParallelism', () => {
  it('gives concurrency equal to the sequences, and sequences from the threads, when the registry is silent', () => {
    expect(resolveParallelism({}, 2)).toEqual({ sequences: 4, concurrency: 4 });
    expect(defaultSequences(1)).toBe(2);
    expect(defaultSequences(16)).toBe(8);
  });

  it('lets the registry override both, never running more calls than sequences', () => {
    expect(resolveParallelism({ sequences: 8 }, 2)).toEqual({ sequences: 8, concurrency: 8 });
    expect(resolveParallelism({ maxConcurrency: 3 }, 2)).toEqual({ sequences: 3, concurrency: 3 });
    expect(resolveParallelism({ sequences: 2, maxConcurrency: 6 }, 2)).toEqual({ sequences: 2, concurrency: 2 });
    expect(resolveParallelism({ sequences: 6, maxConcurrency: 1 }, 2)).toEqual({ sequences: 6, concurrency: 1 });
  });
});

describe('threadsForModel', () => {
  it('uses the machine threads for a real model and one thread for a tiny one', () => {
    expect(threadsForModel(98_362_432, 2)).toBe(2); // SmolLM2-135M Q4_1
    expect(threadsForModel(1_185_376, 2)).toBe(1); // stories260K
  });
});
