import { describe, expect, it } from 'vitest';
import { partitionKey, type SemanticCache } from '@troupe/context';
import type { SubtaskRequest } from '@troupe/protocol';
import { prepareContext, questionOf } from './worker-context.js';

const request = (overrides: Partial<SubtaskRequest> = {}): SubtaskRequest => ({
  taskId: 't1', tenant: 'acme', nodeId: 'answer', attempt: 1, skill: 'generate', instructions: 'Answer in two sentences.',
  input: { task: { text: 'How do I reset my password?' }, from: { classify: { category: 'simple' } } },
  quality: 'balanced', timeoutMs: 5_000, feedback: [], stream: false, ...overrides,
});
const layer = { cache: {} as SemanticCache };
const keyOf = async (overrides: Partial<SubtaskRequest>, tier = 'local') => partitionKey((await prepareContext(layer, request(overrides), tier)).partition!);

describe('worker context: what keys a cached answer', () => {
  it('embeds only the task question; instructions, parents, schema, tier and tenant are keys', async () => {
    expect(questionOf(request().input)).toBe('How do I reset my password?');
    const base = await keyOf({});
    expect(await keyOf({})).toBe(base);
    expect(await keyOf({ instructions: 'Write a poem about it.' })).not.toBe(base);
    expect(await keyOf({ input: { task: { text: 'How do I reset my password?' }, from: { classify: { category: 'complex' } } } })).not.toBe(base);
    expect(await keyOf({ outputSchema: { type: 'object' } })).not.toBe(base);
    expect(await keyOf({}, 'frontier')).not.toBe(base);
    expect(await keyOf({ tenant: 'globex' })).not.toBe(base);
  });

  it('serves only first attempts from the cache and honours the per-node opt-out', async () => {
    expect((await prepareContext(layer, request(), 'local')).serveFromCache).toBe(true);
    expect((await prepareContext(layer, request({ attempt: 2, feedback: ['factuality: 1/2 facts'] }), 'local')).serveFromCache).toBe(false);
    expect((await prepareContext(layer, request({ cache: false }), 'local')).partition).toBeUndefined();
    expect((await prepareContext(undefined, request(), 'local')).partition).toBeUndefined();
  });
});
