import { ErrorCode, TroupeError } from '@troupe/protocol';
import type { ModelConfig } from '@troupe/models';
import type { ProviderEnvironment } from './provider-options.js';

/** The variable each provider reads when the model config names none. */
export const DEFAULT_API_KEY_ENV = {
  openai: 'OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
  gemini: 'GEMINI_API_KEY',
} as const;

/**
 * Reads the model's API key from `env`. A missing key is a CONFIG_INVALID error that names the
 * variable it expected — never a value. `openai-compatible` servers (vLLM, Ollama, llama.cpp) may
 * run without a key when the config names no variable; then `undefined` is returned.
 */
export function resolveApiKey(config: Pick<ModelConfig, 'id' | 'provider' | 'apiKeyEnv'>, env: ProviderEnvironment): string | undefined {
  const defaultName = config.provider in DEFAULT_API_KEY_ENV ? DEFAULT_API_KEY_ENV[config.provider as keyof typeof DEFAULT_API_KEY_ENV] : undefined;
  const name = config.apiKeyEnv ?? defaultName;
  if (name === undefined) return undefined;
  const value = env[name]?.trim();
  if (!value) {
    throw new TroupeError(ErrorCode.CONFIG_INVALID, `model "${config.id}" (${config.provider}) needs an API key: set the environment variable ${name}`, {
      details: { modelId: config.id, provider: config.provider, apiKeyEnv: name },
    });
  }
  return value;
}
