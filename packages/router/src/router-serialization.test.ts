import { ErrorCode, TroupeError } from '@troupe/protocol';
import { describe, expect, it } from 'vitest';
import { syntheticJsonl } from './__fixtures__/synthetic-outcomes.js';
import { parseOutcomeJsonl } from './outcome-row.js';
import { loadRouter } from './router.js';
import { trainRouter } from './train-router.js';

describe('router serialisation', () => {
  it('round-trips through JSON text with identical predictions, decisions and learning state', async () => {
    const rows = parseOutcomeJsonl(syntheticJsonl(160, 4));
    const { router } = await trainRouter(rows, { features: { hashBits: 14, charNgrams: [3] }, folds: 0 });
    const text = JSON.stringify(router.toJSON());
    const loaded = loadRouter(JSON.parse(text));
    const prompts = rows.slice(0, 20).map((row) => ({ prompt: row.prompt, task: 'demo' }));
    for (const request of prompts) {
      expect(loaded.predict(request)).toEqual(router.predict(request));
      expect(loaded.route({ ...request, quality: 'fast' })).toEqual(router.route({ ...request, quality: 'fast' }));
    }
    // The AdaGrad accumulators travel too, so an online update lands the same on both.
    const example = { prompt: rows[0]?.prompt ?? '', model: 'small', score: 1, costUsd: 0.0001 };
    router.update(example);
    loaded.update(example);
    expect(loaded.predict(example)).toEqual(router.predict(example));
    expect(JSON.stringify(loaded.toJSON())).toBe(JSON.stringify(router.toJSON()));
  });

  it('rejects anything that is not a serialised router', () => {
    for (const bad of [null, {}, { format: 'troupe-router', version: 2 }, { format: 'troupe-router', version: 1, features: {}, learner: {}, models: [{ id: 'x', indices: 'AAAA', weights: '', gradSq: '' }] }]) {
      expect(() => loadRouter(bad)).toThrow(TroupeError);
      try {
        loadRouter(bad);
      } catch (error) {
        expect((error as TroupeError).code).toBe(ErrorCode.CONFIG_INVALID);
      }
    }
  });
});
