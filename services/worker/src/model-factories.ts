import type { Logger } from 'pino';
import { createLlamaLanguageModel } from '@troupe/llama';
import { createProviderModel } from '@troupe/providers';
import { createResilientModel, type CircuitBreakers } from '@troupe/resilience';
import type { ModelFactory } from '@troupe/runtime';

export interface ModelFactoryOptions {
  modelsDir: string | undefined;
  logger: Logger;
  /** Shared across replicas (NATS KV) so one replica's failures cool a model down for all. */
  breakers?: CircuitBreakers;
}

/** Provider name → factory. `echo` and `template` are built into the catalog. */
export function modelFactories(options: ModelFactoryOptions): Record<string, ModelFactory> {
  // Frontier calls get a deadline per attempt, the shared breaker and retries with backoff that
  // honour retry-after; fallbacks across models are composed by the catalog from `fallbacks`.
  const frontier: ModelFactory = (config) =>
    createResilientModel({
      models: [{ model: createProviderModel(config, process.env, { logger: options.logger }), contextSize: config.contextSize, timeoutMs: config.timeoutMs }],
      ...(options.breakers ? { breakers: options.breakers } : {}),
      retry: { maxAttempts: 3, maxElapsedMs: 20_000 },
      logger: options.logger,
    });
  return {
    'llama-cpp': (config) =>
      createLlamaLanguageModel(config, {
        logger: options.logger,
        ...(options.modelsDir ? { modelsDirectory: options.modelsDir } : {}),
      }),
    openai: frontier,
    'openai-compatible': frontier,
    anthropic: frontier,
    gemini: frontier,
  };
}
