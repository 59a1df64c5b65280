import type { Logger } from 'pino';
import { createLlamaLanguageModel } from '@troupe/llama';
import type { ModelFactory } from '@troupe/runtime';

/** Provider name → factory. `echo` and `template` are built into the catalog. */
export function modelFactories(options: { modelsDir: string | undefined; logger: Logger }): Record<string, ModelFactory> {
  return {
    'llama-cpp': (config) =>
      createLlamaLanguageModel(config, {
        logger: options.logger,
        ...(options.modelsDir ? { modelsDirectory: options.modelsDir } : {}),
      }),
  };
}
