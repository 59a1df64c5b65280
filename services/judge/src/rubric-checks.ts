import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { createLlmRubricCheck, type Check } from '@troupe/checks';
import { RegistryConfig } from '@troupe/models';
import { createModelCatalog } from '@troupe/runtime';
import { ErrorCode, TroupeError } from '@troupe/protocol';

interface RubricEnv {
  TROUPE_JUDGE_MODEL?: string | undefined;
  TROUPE_MODELS_CONFIG?: string | undefined;
  TROUPE_MODELS_DIR?: string | undefined;
  TROUPE_JUDGE_RUBRIC: string;
}

/**
 * The `rubric` check (LLM as judge), registered whenever judge models are configured: each id in
 * `TROUPE_JUDGE_MODEL` is looked up in the model registry, cheapest first; none configured, none registered.
 */
export async function rubricChecks(env: RubricEnv, logger: Logger): Promise<Check[]> {
  const ids = (env.TROUPE_JUDGE_MODEL ?? '').split(',').map((id) => id.trim()).filter(Boolean);
  if (ids.length === 0) return [];
  if (!env.TROUPE_MODELS_CONFIG) throw new TroupeError(ErrorCode.CONFIG_INVALID, 'TROUPE_JUDGE_MODEL needs TROUPE_MODELS_CONFIG: the registry the judge models come from');
  // Loaded only when a judge model is configured: node-llama-cpp and the SDKs are slow to import.
  const { createLlamaLanguageModel } = await import('@troupe/llama');
  const { createProviderModel } = await import('@troupe/providers');
  const registry = RegistryConfig.parse(JSON.parse(readFileSync(env.TROUPE_MODELS_CONFIG, 'utf8')));
  const catalog = createModelCatalog(registry, {
    'llama-cpp': (config) => createLlamaLanguageModel(config, { logger, ...(env.TROUPE_MODELS_DIR ? { modelsDirectory: env.TROUPE_MODELS_DIR } : {}) }),
    openai: (config) => createProviderModel(config, process.env, { logger }),
    'openai-compatible': (config) => createProviderModel(config, process.env, { logger }),
    anthropic: (config) => createProviderModel(config, process.env, { logger }),
    gemini: (config) => createProviderModel(config, process.env, { logger }),
  });
  const models = await Promise.all(ids.map(async (id) => (await catalog.get(id)).model));
  logger.info({ judgeModels: ids }, 'rubric check registered');
  return [createLlmRubricCheck({ models, rubric: env.TROUPE_JUDGE_RUBRIC })];
}
