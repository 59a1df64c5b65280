import { describe, expect, it } from 'vitest';
import { createFeatureExtractor } from './text-features.js';

function dense(vector: { indices: Int32Array; values: Float32Array }, dimension: number): Float64Array {
  const out = new Float64Array(dimension);
  vector.indices.forEach((index, position) => {
    out[index] = (out[index] ?? 0) + (vector.values[position] ?? 0);
  });
  return out;
}

describe('createFeatureExtractor', () => {
  const extractor = createFeatureExtractor({ hashBits: 12 }, 3);

  it('is deterministic, case-insensitive for words, and stays inside the dimension', () => {
    const first = extractor.extract('Hello World', { task: 'greet' });
    const second = extractor.extract('hello world', { task: 'greet' });
    expect(dense(first, extractor.dimension)).toEqual(dense(second, extractor.dimension));
    expect(Math.max(...first.indices)).toBeLessThan(extractor.hashedDimension);
  });

  it('separates task tags and prompt text', () => {
    const base = dense(extractor.extract('sum two numbers', { task: 'math' }), extractor.dimension);
    const otherTask = dense(extractor.extract('sum two numbers', { task: 'chat' }), extractor.dimension);
    const otherText = dense(extractor.extract('greet a friend', { task: 'math' }), extractor.dimension);
    expect(base).not.toEqual(otherTask);
    expect(base).not.toEqual(otherText);
  });

  it('appends a unit-norm embedding after the hashed dimensions', () => {
    const vector = extractor.extract('x', {}, [3, 0, 4]);
    const tail = dense(vector, extractor.dimension).slice(extractor.hashedDimension);
    expect([...tail]).toEqual([expect.closeTo(0.6, 6), 0, expect.closeTo(0.8, 6)]);
    expect(() => extractor.extract('x', {}, [1, 2])).toThrow(RangeError);
  });
});
