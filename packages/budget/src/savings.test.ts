import { describe, expect, it } from 'vitest';
import { savingsUsd } from './savings.js';
import { estimateInputTokensUpperBound } from './token-estimate.js';

describe('savingsUsd', () => {
  it('is the reference cost of every node minus what the nodes cost', () => {
    const reference = { inputPerMTok: 3, outputPerMTok: 15, cachedInputPerMTok: 0.3 };
    const nodes = [
      { usage: { inputTokens: 1_000, outputTokens: 200, cachedInputTokens: 0 }, costUsd: 0 }, // local model: free
      { usage: { inputTokens: 2_000, outputTokens: 100, cachedInputTokens: 1_000 }, costUsd: 0.001 },
      { costUsd: 0.5 }, // no usage: nothing to compare
    ];
    // Node 1 on the reference: 0.003 + 0.003 = 0.006. Node 2: 0.003 + 0.0003 + 0.0015 = 0.0048.
    expect(savingsUsd(nodes, reference)).toBe(0.0098);
  });

  it('is negative when the nodes cost more than the reference would have', () => {
    expect(savingsUsd([{ usage: { inputTokens: 10, outputTokens: 10, cachedInputTokens: 0 }, costUsd: 1 }], { inputPerMTok: 1, outputPerMTok: 1 })).toBe(-0.99998);
  });
});

describe('estimateInputTokensUpperBound', () => {
  it('counts UTF-8 bytes, so multi-byte text is never under-estimated', () => {
    const ascii = estimateInputTokensUpperBound({ messages: [{ role: 'user', content: 'hello' }] });
    const accented = estimateInputTokensUpperBound({ messages: [{ role: 'user', content: 'héllo' }] });
    expect(accented - ascii).toBe(1);
    expect(estimateInputTokensUpperBound({ messages: [{ role: 'user', content: '日本' }] })).toBe(16 + 8 + 6);
  });

  it('adds the schema and the hidden JSON-mode prompt when output is structured', () => {
    const plain = estimateInputTokensUpperBound({ messages: [] });
    expect(estimateInputTokensUpperBound({ messages: [], responseSchema: { type: 'object' } })).toBe(plain + 17 + 512);
  });
});
