import { resolve } from 'node:path';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from 'pino';
import { createClassifierModel, openClassifierSource } from '@troupe/classify';
import { createLlamaEmbeddingModel } from '@troupe/llama';
import type { RegistryConfig } from '@troupe/models';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import type { ModelFactory } from '@troupe/runtime';

export interface ClassifierFactoryOptions {
  connection: NatsConnection;
  registry: RegistryConfig;
  modelsDir: string | undefined;
  /** Relative `classifier.file` paths are resolved against this directory (the registry file's). */
  registryDir: string;
  logger: Logger;
}

/**
 * Builds `classifier` models: the embedding model the classifier was trained on (a registry entry
 * with the `embedding` capability) plus the classifier itself, from NATS KV (watched, so a new
 * `troupe classifier deploy` is served without a restart) or from a file.
 */
export function classifierFactory(options: ClassifierFactoryOptions): ModelFactory {
  return async (config) => {
    if (!config.classifier) throw new TroupeError(ErrorCode.CONFIG_INVALID, `classifier model "${config.id}" has no "classifier" settings`);
    const settings = config.classifier;
    const embedding = options.registry.models.find((model) => model.id === settings.embeddingModel);
    if (!embedding || !embedding.capabilities.includes('embedding') || embedding.provider !== 'llama-cpp') {
      throw new TroupeError(
        ErrorCode.CONFIG_INVALID,
        `classifier model "${config.id}" needs embedding model "${settings.embeddingModel}": a llama-cpp registry entry with the "embedding" capability`,
      );
    }
    const logger = options.logger.child({ model: config.id });
    const embedder = await createLlamaEmbeddingModel(embedding, { logger, ...(options.modelsDir ? { modelsDirectory: options.modelsDir } : {}) });
    const source = await openClassifierSource({
      ...(settings.name ? { name: settings.name } : {}),
      ...(settings.file ? { file: resolve(options.registryDir, settings.file) } : {}),
      connection: options.connection,
      onVersion: (classifier) => logger.info({ classifier: classifier.name, version: classifier.version }, 'classifier version loaded'),
    });
    return createClassifierModel({
      modelId: config.id,
      embedder,
      source,
      ...(settings.textField ? { textField: settings.textField } : {}),
      ...(settings.outputField ? { outputField: settings.outputField } : {}),
      onDispose: async () => {
        source.stop();
        await embedder.dispose();
      },
    });
  };
}
