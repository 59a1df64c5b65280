import { ErrorCode, TroupeError } from '@troupe/protocol';
import type { LanguageModel, ModelConfig } from '@troupe/models';
import { createAnthropicModel } from './anthropic-model.js';
import { createGeminiModel } from './gemini-model.js';
import { createOpenAIModel } from './openai-model.js';
import type { ProviderEnvironment, ProviderOptions } from './provider-options.js';

/** Picks the factory for a frontier model config (`openai`, `openai-compatible`, `anthropic`, `gemini`). */
export function createProviderModel(config: ModelConfig, env: ProviderEnvironment = process.env, options: ProviderOptions = {}): LanguageModel {
  switch (config.provider) {
    case 'openai':
    case 'openai-compatible':
      return createOpenAIModel(config, env, options);
    case 'anthropic':
      return createAnthropicModel(config, env, options);
    case 'gemini':
      return createGeminiModel(config, env, options);
    default:
      throw new TroupeError(ErrorCode.CONFIG_INVALID, `model "${config.id}": provider "${config.provider}" is not a frontier API`, {
        details: { modelId: config.id, provider: config.provider },
      });
  }
}
