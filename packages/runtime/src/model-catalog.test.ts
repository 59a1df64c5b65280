import { describe, expect, it } from 'vitest';
import { createEchoModel, type LanguageModel, type ModelConfig } from '@troupe/models';
import { TroupeError } from '@troupe/protocol';
import { createModelCatalog } from './model-catalog.js';

describe('model catalog', () => {
  it('creates one instance per model, shared by fallback chains, and prices the model that answered', async () => {
    const created: string[] = [];
    const failing = (config: ModelConfig): LanguageModel => ({
      ...createEchoModel({ modelId: config.id }),
      doGenerate: async () => {
        throw new TroupeError('PROVIDER_ERROR', 'down');
      },
    });
    const catalog = createModelCatalog(
      {
        models: [
          { id: 'big', provider: 'openai', pricing: { inputPerMTok: 10, outputPerMTok: 30 }, fallbacks: ['small'] },
          { id: 'small', provider: 'anthropic', pricing: { inputPerMTok: 1, outputPerMTok: 2 } },
        ],
      },
      {
        openai: (config) => (created.push(config.id), failing(config)),
        anthropic: (config) => (created.push(config.id), createEchoModel({ modelId: config.id })),
      },
    );
    const big = await catalog.get('big');
    await catalog.get('small');
    await catalog.get('big');
    expect(created.sort()).toEqual(['big', 'small']);
    const answer = await big.model.doGenerate({ messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.servedBy).toBe('small');
    expect(big.pricingOf?.(answer.servedBy!)).toEqual({ inputPerMTok: 1, outputPerMTok: 2 });
    // Budgets reserve a chain at its dearest member (here the primary; see the dearer-fallback case below).
    expect(big.reservePricing).toMatchObject({ inputPerMTok: 10, outputPerMTok: 30 });
    await expect(catalog.get('nope')).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });

  it('prices a chain with a dearer fallback at the fallback for budget reservations', async () => {
    const catalog = createModelCatalog({
      models: [
        { id: 'local', provider: 'echo', fallbacks: ['frontier'] },
        { id: 'frontier', provider: 'echo', pricing: { inputPerMTok: 3, outputPerMTok: 15 } },
      ],
    }, {});
    const local = await catalog.get('local');
    expect(local.pricing).toMatchObject({ inputPerMTok: 0, outputPerMTok: 0 });
    expect(local.reservePricing).toMatchObject({ inputPerMTok: 3, outputPerMTok: 15 });
    await catalog.dispose();
  });
});
