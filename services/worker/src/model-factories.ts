import type { Logger } from 'pino';
import { createLlamaLanguageModel } from '@troupe/llama';
import { createProviderModel } from '@troupe/providers';
import { createReplayModel, loadRecordedRows } from '@troupe/replay';
import { createResilientModel, type CircuitBreakers } from '@troupe/resilience';
import type { ModelFactory } from '@troupe/runtime';
import { ErrorCode, TroupeError } from '@troupe/protocol';

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
    // Recorded outcomes: `path` names the JSONL rows (`,`-separated), `model` the recorded model name.
    replay: (config) => {
      if (!config.path) throw new TroupeError(ErrorCode.CONFIG_INVALID, `replay model "${config.id}" needs "path": the recorded rows (JSONL)`);
      return createReplayModel({ modelId: config.id, recordedModel: config.model ?? config.id, book: loadRecordedRows(config.path) });
    },
    openai: frontier,
    'openai-compatible': frontier,
    anthropic: frontier,
    gemini: frontier,
  };
}
