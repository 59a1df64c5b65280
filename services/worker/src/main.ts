// The worker service: loads the model registry, hosts worker actors for its skills, drains on SIGTERM.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { RegistryConfig } from '@troupe/models';
import { createModelCatalog, hostWorker } from '@troupe/runtime';
import { CommonEnv, runService } from '@troupe/service-common';
import { modelFactories } from './model-factories.js';

const defaultRegistry = fileURLToPath(new URL('../../../models/troupe.models.json', import.meta.url));

const Env = CommonEnv.extend({
  TROUPE_SKILLS: z.string().default('extract,classify,summarize,generate,plan,verify,faq,expert'),
  /** JSON model registry (see models/troupe.models.json). */
  TROUPE_MODELS_CONFIG: z.string().default(defaultRegistry),
  /** Directory that relative GGUF paths in the registry are resolved against. */
  TROUPE_MODELS_DIR: z.string().optional(),
  TROUPE_DEFAULT_MODEL: z.string().optional(),
  TROUPE_WORKER_ID: z.string().optional(),
  TROUPE_MAX_OUTPUT_TOKENS: z.coerce.number().int().min(1).default(256),
});

await runService({
  name: 'troupe-worker',
  envSchema: Env,
  async start({ env, logger, connection }) {
    const registry = RegistryConfig.parse(JSON.parse(readFileSync(env.TROUPE_MODELS_CONFIG, 'utf8')));
    const models = createModelCatalog(registry, modelFactories({ modelsDir: env.TROUPE_MODELS_DIR, logger }));
    const skills = env.TROUPE_SKILLS.split(',').map((skill) => skill.trim()).filter(Boolean);
    const service = await hostWorker({
      connection,
      skills,
      models,
      logger,
      maxOutputTokens: env.TROUPE_MAX_OUTPUT_TOKENS,
      ...(env.TROUPE_DEFAULT_MODEL ? { defaultModel: env.TROUPE_DEFAULT_MODEL } : {}),
      ...(env.TROUPE_WORKER_ID ? { workerId: env.TROUPE_WORKER_ID } : {}),
      ...(env.TROUPE_MAX_PAYLOAD_BYTES ? { maxPayloadBytes: env.TROUPE_MAX_PAYLOAD_BYTES } : {}),
    });
    logger.info({ skills, models: registry.models.map((model) => model.id) }, 'worker listening');
    return {
      stop: async () => {
        await service.stop(env.TROUPE_SHUTDOWN_GRACE_MS);
        await models.dispose();
      },
    };
  },
});
