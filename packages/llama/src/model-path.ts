import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ModelConfig, RegistryConfig } from '@troupe/models';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import { resolveModelFile } from 'node-llama-cpp';

/** The environment variable naming the directory that relative model paths resolve against. */
export const MODELS_DIR_ENV = 'TROUPE_MODELS_DIR';

/** The models directory: the option, else `$TROUPE_MODELS_DIR`, else `./models` under the working directory. */
export function resolveModelsDirectory(directory?: string): string {
  return path.resolve(directory ?? process.env[MODELS_DIR_ENV] ?? 'models');
}

/**
 * Finds a model in a registry by id.
 *
 * @throws TroupeError MODEL_NOT_FOUND naming the ids the registry does have.
 */
export function findModelConfig(registry: Pick<RegistryConfig, 'models'> | readonly ModelConfig[], id: string): ModelConfig {
  const models = Array.isArray(registry) ? (registry as readonly ModelConfig[]) : (registry as Pick<RegistryConfig, 'models'>).models;
  const found = models.find((model) => model.id === id);
  if (found) return found;
  const known = models.map((model) => model.id).join(', ') || 'none';
  throw new TroupeError(ErrorCode.MODEL_NOT_FOUND, `unknown model "${id}" (registry has: ${known})`, { details: { modelId: id } });
}

/**
 * The absolute GGUF file of a `llama-cpp` model. A relative `path` resolves against the models
 * directory; an `hf:` URI or URL resolves to the file `troupe models pull` downloaded there,
 * without touching the network.
 *
 * @throws TroupeError CONFIG_INVALID for a non-local model or one without a path; MODEL_NOT_FOUND
 *   when the file is missing, naming the path tried and `TROUPE_MODELS_DIR`.
 */
export async function resolveModelPath(config: ModelConfig, modelsDirectory: string): Promise<string> {
  if (config.provider !== 'llama-cpp') {
    throw new TroupeError(ErrorCode.CONFIG_INVALID, `model "${config.id}" has provider "${config.provider}", not "llama-cpp"`);
  }
  if (!config.path) throw new TroupeError(ErrorCode.CONFIG_INVALID, `model "${config.id}" has no "path" to a GGUF file`);
  if (isRemoteUri(config.path)) return resolveDownloaded(config, config.path, modelsDirectory);
  const filePath = path.resolve(modelsDirectory, config.path);
  const isFile = await stat(filePath).then(
    (stats) => stats.isFile(),
    () => false,
  );
  if (!isFile) {
    throw new TroupeError(
      ErrorCode.MODEL_NOT_FOUND,
      `model file for "${config.id}" not found at ${filePath} (path "${config.path}" resolved against the models directory ` +
        `${modelsDirectory}; set ${MODELS_DIR_ENV} or the modelsDirectory option to where your GGUF files are)`,
      { details: { modelId: config.id, path: filePath } },
    );
  }
  return filePath;
}

/** Whether a model path is something to download (`hf:` URI or http(s) URL) rather than a file. */
export function isRemoteUri(value: string): boolean {
  return /^(hf:|https?:\/\/)/i.test(value);
}

async function resolveDownloaded(config: ModelConfig, uri: string, modelsDirectory: string): Promise<string> {
  try {
    // download: false maps the URI to its expected file name offline and only checks the disk.
    return await resolveModelFile(uri, { directory: modelsDirectory, download: false, cli: false });
  } catch (error) {
    throw new TroupeError(
      ErrorCode.MODEL_NOT_FOUND,
      `model "${config.id}" (${uri}) has not been downloaded to ${modelsDirectory}; run \`npx troupe models pull ${config.id}\` ` +
        `or point ${MODELS_DIR_ENV} at the directory that holds it`,
      { cause: error, details: { modelId: config.id, uri } },
    );
  }
}
