import type { Logger } from './logger.js';

/** Where API keys are looked up: `process.env` in services, a plain object in tests. */
export type ProviderEnvironment = Readonly<Record<string, string | undefined>>;

/** Options shared by every provider factory. */
export interface ProviderOptions {
  /** Pino-style logger; the provider logs under `{ provider, modelId }` and never logs keys. */
  logger?: Logger;
  /** Output-token cap used when a call gives none (Anthropic requires one). Default 4096. */
  defaultMaxOutputTokens?: number;
}

export const DEFAULT_MAX_OUTPUT_TOKENS = 4096;
