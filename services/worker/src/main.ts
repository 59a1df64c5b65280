// The worker service: loads the model registry, hosts worker actors for its skills, drains on SIGTERM.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { RegistryConfig } from '@troupe/models';
import { createKvNodeLedger } from '@troupe/durability';
import { createModelCatalog, faqTemplateFactory, hostWorker } from '@troupe/runtime';
import { createUseEmbeddingModel, openContextLayer } from '@troupe/context';
import { CommonEnv, runService } from '@troupe/service-common';
import { createBudgetedModel, createKvBudgetLedger, taskScope, tenantScope } from '@troupe/budget';
import { createCircuitBreakers, createKvBreakerStore, createMemoryBreakerStore } from '@troupe/resilience';
import { modelFactories } from './model-factories.js';
import { classifierFactory } from './classifier-factory.js';
import { CodeSkillsEnv, loadWorkerCodeSkills } from './code-skills.js';
import { McpEnv, loadWorkerMcpTools } from './mcp-tools.js';
import { ChaosEnv, withKillAfterCall } from './chaos-faults.js';

const defaultRegistry = fileURLToPath(new URL('../../../models/troupe.models.json', import.meta.url));

const Env = CommonEnv.extend(CodeSkillsEnv.shape).extend(McpEnv.shape).extend(ChaosEnv.shape).extend({
  TROUPE_SKILLS: z.string().default('extract,classify,summarize,generate,plan,verify,faq,expert'),
  /** JSON model registry (see models/troupe.models.json). */
  TROUPE_MODELS_CONFIG: z.string().default(defaultRegistry),
  /** Directory that relative GGUF paths in the registry are resolved against. */
  TROUPE_MODELS_DIR: z.string().optional(),
  TROUPE_DEFAULT_MODEL: z.string().optional(),
  TROUPE_WORKER_ID: z.string().optional(),
  TROUPE_MAX_OUTPUT_TOKENS: z.coerce.number().int().min(1).default(256),
  /** Node attempts in a JetStream KV ledger: a resumed planner's re-sent node replays its result instead of paying again. */
  TROUPE_DURABLE: z.enum(['true', 'false']).default('true'),
  TROUPE_JETSTREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  /** Circuit-breaker state in NATS KV, shared by every worker replica (`memory`: per process). */
  TROUPE_BREAKERS: z.enum(['kv', 'memory']).default('kv'),
  /** Reserve-then-settle budgets per task and tenant in NATS KV for priced (frontier) models. */
  TROUPE_BUDGETS: z.enum(['true', 'false']).default('true'),
  /** `use`: semantic cache and retrieval (`@troupe/context`) with the Universal Sentence Encoder; `off`: neither. */
  TROUPE_CONTEXT: z.enum(['off', 'use']).default('off'),
});

await runService({
  name: 'troupe-worker',
  envSchema: Env,
  async start({ env, logger, connection }) {
    const registry = RegistryConfig.parse(JSON.parse(readFileSync(env.TROUPE_MODELS_CONFIG, 'utf8')));
    const paid = registry.models.some((model) => model.pricing.inputPerMTok > 0 || model.pricing.outputPerMTok > 0);
    const breakerStore = env.TROUPE_BREAKERS === 'kv' && paid ? await createKvBreakerStore({ connection }) : createMemoryBreakerStore();
    const breakers = createCircuitBreakers(breakerStore, { logger });
    const budgets = env.TROUPE_BUDGETS === 'true' && paid ? await createKvBudgetLedger({ connection }) : undefined;
    const contextLayer = env.TROUPE_CONTEXT === 'use' ? await openContextLayer({ connection, embedder: await createUseEmbeddingModel(), logger }) : undefined;
    const models = createModelCatalog(registry, {
      // A template model with a `collection` answers from that FAQ collection.
      ...(contextLayer ? { template: faqTemplateFactory(contextLayer.store) } : {}),
      ...modelFactories({ modelsDir: env.TROUPE_MODELS_DIR, logger, breakers }),
      classifier: classifierFactory({ connection, registry, modelsDir: env.TROUPE_MODELS_DIR, registryDir: dirname(env.TROUPE_MODELS_CONFIG), logger }),
    });
    const code = await loadWorkerCodeSkills(env);
    const mcp = await loadWorkerMcpTools(env.TROUPE_MCP_CONFIG, logger);
    // A skill served by code (TROUPE_SKILLS_MODULE) is not also served by a model.
    const skills = env.TROUPE_SKILLS.split(',').map((skill) => skill.trim()).filter((skill) => skill && !code.names.has(skill));
    const workerId = env.TROUPE_WORKER_ID ?? `${hostname()}-${process.pid}`;
    const ledger =
      env.TROUPE_DURABLE === 'true'
        ? withKillAfterCall(await createKvNodeLedger({ connection, workerId, logger, replicas: env.TROUPE_JETSTREAM_REPLICAS }), env.TROUPE_CHAOS_KILL_AFTER_CALL)
        : undefined;
    const service = await hostWorker(mcp.withTools(code.withTools({
      connection,
      skills,
      models,
      logger,
      ...(ledger ? { ledger } : {}),
      maxOutputTokens: env.TROUPE_MAX_OUTPUT_TOKENS,
      ...(env.TROUPE_DEFAULT_MODEL ? { defaultModel: env.TROUPE_DEFAULT_MODEL } : {}),
      ...(contextLayer ? { context: contextLayer } : {}),
      workerId,
      // Priced calls reserve their worst-case cost against the task's and tenant's budgets first.
      ...(budgets
        ? {
            wrapModel: (resolved, request) =>
              // A free primary with a paid fallback is still budgeted: the chain is priced at its dearest member.
              (resolved.reservePricing ?? resolved.pricing).inputPerMTok === 0 && (resolved.reservePricing ?? resolved.pricing).outputPerMTok === 0
                ? resolved
                : {
                    ...resolved,
                    model: createBudgetedModel(resolved.model, {
                      ledger: budgets,
                      scopes: [tenantScope(request.tenant), taskScope(`${request.tenant}.${request.taskId}`)],
                      pricing: resolved.reservePricing ?? resolved.pricing,
                      ...(resolved.pricingOf ? { pricingOf: resolved.pricingOf } : {}),
                      defaultMaxOutputTokens: env.TROUPE_MAX_OUTPUT_TOKENS,
                      logger,
                    }),
                  },
          }
        : {}),
      ...(env.TROUPE_MAX_PAYLOAD_BYTES ? { maxPayloadBytes: env.TROUPE_MAX_PAYLOAD_BYTES } : {}),
    })));
    const codeService = await code.host({ connection, models, logger, workerId, ...(ledger ? { ledger } : {}), ...(env.TROUPE_DEFAULT_MODEL ? { defaultModel: env.TROUPE_DEFAULT_MODEL } : {}) });
    logger.info({ skills, codeSkills: [...code.names], models: registry.models.map((model) => model.id) }, 'worker listening');
    return {
      stop: async () => {
        await service.stop(env.TROUPE_SHUTDOWN_GRACE_MS);
        await codeService?.stop(env.TROUPE_SHUTDOWN_GRACE_MS);
        await code.dispose();
        await mcp.dispose();
        await models.dispose();
        breakers.dispose();
      },
    };
  },
});
