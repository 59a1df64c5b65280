import type { NatsConnection } from '@nats-io/nats-core';
import type { Check } from '@troupe/checks';
import type { RegistryConfigInput } from '@troupe/models';
import { PipelineDefinition, type PipelineDefinitionInput } from '@troupe/protocol';
import type { VerdictPolicy } from '@troupe/judge';
import type { Logger, TroupeService } from '@troupe/transport';
import type { Router } from '@troupe/router';
import type { CodeSkill } from '@troupe/skills';
import { codeSkillsAsTools, hostCodeSkills } from './code-skill-host.js';
import { hostJudge } from './judge-host.js';
import { createRouterPolicy } from './router-policy.js';
import { createModelCatalog, type ModelCatalog, type ModelFactory } from './model-catalog.js';
import { hostPlanner, type PlannerHostOptions } from './planner-host.js';
import type { TaskQueue, TaskStore } from '@troupe/store-contract';
import { hostWorker, type NodeResultLedger } from './worker-host.js';
import { cacheOnVerdict, faqTemplateFactory, type WorkerContextLayer } from './worker-context.js';

export type TroupeRole = 'planner' | 'worker' | 'judge';

export interface TroupeOptions {
  connection: NatsConnection;
  pipelines?: readonly PipelineDefinitionInput[];
  models?: RegistryConfigInput;
  /** Provider name → factory, e.g. `{ 'llama-cpp': createLlamaLanguageModel }`; `echo` is built in. */
  modelFactories?: Partial<Record<string, ModelFactory>>;
  /** Which actors this process hosts (default: all three). */
  roles?: readonly TroupeRole[];
  /** Skills the hosted worker serves (default: every skill used by the pipelines). */
  skills?: readonly string[];
  defaultModel?: string;
  checks?: readonly Check[];
  verdictPolicy?: VerdictPolicy;
  chooseModel?: PlannerHostOptions['chooseModel'];
  /** A learned router: picks each node's model and learns from every verdict (overrides `chooseModel`). */
  router?: Router;
  store?: TaskStore;
  /** Durable submission for the hosted planner (e.g. `createJetStreamTaskQueue` from `@troupe/durability`). */
  queue?: TaskQueue;
  /** Durable node results for the hosted worker (e.g. `createKvNodeLedger` from `@troupe/durability`). */
  ledger?: NodeResultLedger;
  logger?: Logger;
  maxPayloadBytes?: number;
  streamTokens?: boolean;
  /** Code skills (`defineSkill`) the hosted worker serves beside model skills; judged, traced and retried alike. */
  codeSkills?: readonly CodeSkill[];
  /** Model skill → code skills it may call as tools, e.g. `{ expert: ['order-lookup'] }` (one tool loop, `@troupe/tools`). */
  skillTools?: Readonly<Record<string, readonly string[]>>;
  /** Semantic cache and retrieval for workers; the planner promotes judge-passed answers into the cache. */
  context?: WorkerContextLayer;
}

export interface Troupe extends AsyncDisposable {
  readonly services: readonly TroupeService[];
  readonly models: ModelCatalog;
  /** Drains every hosted actor and releases the models; idempotent. The connection stays open. */
  stop(): Promise<void>;
}

/**
 * Hosts planner, worker and judge actors inside an existing Node process — the same code the
 * `services/` run — on a NATS connection the caller owns.
 *
 * @example
 * const troupe = await createTroupe({ connection, pipelines: [triage], models: { models: [{ id: 'echo', provider: 'echo' }] } });
 * const result = await createTroupeClient({ connection }).run({ pipeline: 'triage', input: { text: 'refund?' } });
 * await troupe.stop();
 */
export async function createTroupe(options: TroupeOptions): Promise<Troupe> {
  const roles = new Set(options.roles ?? ['planner', 'worker', 'judge']);
  const pipelines = (options.pipelines ?? []).map((pipeline) => PipelineDefinition.parse(pipeline));
  // With a context store, a template model that names a `collection` answers from that FAQ collection.
  const faqFactories = options.context?.store ? { template: faqTemplateFactory(options.context.store) } : {};
  const models = createModelCatalog(options.models ?? { models: [] }, { ...faqFactories, ...options.modelFactories });
  const common = {
    connection: options.connection,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.maxPayloadBytes ? { maxPayloadBytes: options.maxPayloadBytes } : {}),
  };
  const routerPolicy = options.router ? createRouterPolicy(options.router) : undefined;
  const promoteToCache = options.context?.cache ? cacheOnVerdict(options.context.cache, (error) => options.logger?.warn({ err: error }, 'could not promote a judged answer into the cache')) : undefined;
  const services: TroupeService[] = [];
  try {
    if (roles.has('judge')) {
      services.push(await hostJudge({ ...common, ...(options.checks ? { checks: options.checks } : {}), ...(options.verdictPolicy ? { policy: options.verdictPolicy } : {}) }));
    }
    if (roles.has('worker')) {
      const codeSkills = options.codeSkills ?? [];
      const codeNames = new Set(codeSkills.map((skill) => skill.name));
      // A skill served by code is not also served by a model.
      const skills = (options.skills ?? [...new Set(pipelines.flatMap((pipeline) => pipeline.nodes.map((node) => node.skill)))]).filter((skill) => !codeNames.has(skill));
      if (codeSkills.length) {
        services.push(
          await hostCodeSkills({
            ...common,
            skills: codeSkills,
            models,
            ...(options.defaultModel ? { defaultModel: options.defaultModel } : {}),
            ...(options.ledger ? { ledger: options.ledger } : {}),
            ...(options.context ? { context: options.context } : {}),
          }),
        );
      }
      services.push(
        await hostWorker({
          ...common,
          skills,
          models,
          ...(options.defaultModel ? { defaultModel: options.defaultModel } : {}),
          ...(options.ledger ? { ledger: options.ledger } : {}),
          ...(options.context ? { context: options.context } : {}),
          ...(options.skillTools ? { wrapModel: codeSkillsAsTools(codeSkills, options.skillTools, options.logger ? { logger: options.logger } : {}) } : {}),
        }),
      );
    }
    if (roles.has('planner')) {
      services.push(
        await hostPlanner({
          ...common,
          pipelines,
          ...(options.chooseModel ? { chooseModel: options.chooseModel } : {}),
          ...(routerPolicy ? { chooseModel: routerPolicy.chooseModel, onVerdict: routerPolicy.onVerdict } : {}),
          ...(promoteToCache ? {
                onVerdict: (feedback) => {
                  routerPolicy?.onVerdict(feedback);
                  promoteToCache(feedback);
                },
              } : {}),
          ...(options.store ? { store: options.store } : {}),
          ...(options.queue ? { queue: options.queue } : {}),
          ...(options.streamTokens !== undefined ? { streamTokens: options.streamTokens } : {}),
        }),
      );
    }
  } catch (error) {
    await Promise.allSettled(services.map((service) => service.stop()));
    await models.dispose();
    throw error;
  }
  let stopping: Promise<void> | undefined;
  const stop = () => {
    // Planner first, so no new node work is dispatched while workers drain.
    stopping ??= (async () => {
      for (const service of [...services].reverse()) await service.stop();
      await models.dispose();
    })();
    return stopping;
  };
  return { services, models, stop, [Symbol.asyncDispose]: stop };
}
