// The planner service: reads config, hosts the planner actor on NATS, drains on SIGTERM.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { builtInPipelines } from '@troupe/pipelines';
import { createJetStreamTaskQueue, createKvTaskStore } from '@troupe/durability';
import { PipelineDefinition } from '@troupe/protocol';
import { createKvBudgetLedger, taskScope } from '@troupe/budget';
import { createKvIdempotency } from '@troupe/kv';
import { RegistryConfig } from '@troupe/models';
import { createRouterPolicy, hostPlanner, syncRouter } from '@troupe/runtime';
import { createRouter, loadRouter } from '@troupe/router';
import { fileURLToPath } from 'node:url';
import { CommonEnv, runService } from '@troupe/service-common';

const Env = CommonEnv.extend({
  /** JSON file with an array of extra pipeline definitions. */
  TROUPE_PIPELINES: z.string().optional(),
  TROUPE_STREAM_TOKENS: z.enum(['true', 'false']).default('false'),
  /** Submitted tasks in a JetStream work queue and task state in JetStream KV, so no task is lost (needs JetStream). */
  TROUPE_DURABLE: z.enum(['true', 'false']).default('true'),
  /** Queued tasks this replica runs at once. */
  TROUPE_PLANNER_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).default(64),
  /** Lease of a queued task: a replica that stops renewing it (killed, frozen) loses the task this long after. */
  TROUPE_QUEUE_ACK_WAIT_MS: z.coerce.number().int().min(100).default(750),
  /** Deliveries before a task that keeps failing to run is dead-lettered. */
  TROUPE_QUEUE_MAX_DELIVERIES: z.coerce.number().int().min(1).max(100).default(8),
  /** JetStream replicas of the task stream and buckets (3 on a 3-node cluster). */
  TROUPE_JETSTREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  /** How long task records are kept after their last change. */
  TROUPE_TASK_RETENTION_HOURS: z.coerce.number().positive().default(168),
  /** Extra time a worker request may take beyond the node's own timeout. */
  TROUPE_REQUEST_MARGIN_MS: z.coerce.number().int().min(0).default(2_000),
  TROUPE_JUDGE_TIMEOUT_MS: z.coerce.number().int().min(1).default(30_000),
  /** The model registry; its `referenceModel` prices the per-task savings figure. */
  TROUPE_MODELS_CONFIG: z.string().default(fileURLToPath(new URL('../../../models/troupe.models.json', import.meta.url))),
  /** A trained router (JSON from `trainRouter(...).router.toJSON()`); without it the router starts from the registry's priors. */
  TROUPE_ROUTER: z.string().optional(),
  /** `off`: no router; workers use their default model unless a node pins one. */
  TROUPE_ROUTING: z.enum(['router', 'off']).default('router'),
  /**
   * `kv`: route from the router deployed in NATS KV (`troupe router deploy`), watched, learning from the
   * judge's verdict feed into KV, so every replica and a restarted planner share it (default when durable);
   * `local`: the TROUPE_ROUTER file or the registry priors, learning in this process only.
   */
  TROUPE_ROUTER_STATE: z.enum(['kv', 'local']).optional(),
  /** Set each task's `budgetUsd` as a limit in the shared budget ledger (NATS KV) the workers reserve against. */
  TROUPE_BUDGETS: z.enum(['true', 'false']).default('true'),
});

await runService({
  name: 'troupe-planner',
  envSchema: Env,
  async start({ env, logger, connection }) {
    const extra = env.TROUPE_PIPELINES ? z.array(PipelineDefinition).parse(JSON.parse(readFileSync(env.TROUPE_PIPELINES, 'utf8'))) : [];
    const pipelines = [...builtInPipelines.map((pipeline) => PipelineDefinition.parse(pipeline)), ...extra];
    const durable = env.TROUPE_DURABLE === 'true';
    const replicas = env.TROUPE_JETSTREAM_REPLICAS;
    const queue = durable
      ? await createJetStreamTaskQueue({ connection, logger, ackWaitMs: env.TROUPE_QUEUE_ACK_WAIT_MS, maxDeliveries: env.TROUPE_QUEUE_MAX_DELIVERIES, replicas })
      : undefined;
    const store = durable ? await createKvTaskStore({ connection, replicas, retentionMs: env.TROUPE_TASK_RETENTION_HOURS * 3_600_000 }) : undefined;
    // `tasks.run` replies by idempotency key, shared by every planner replica (a retry elsewhere is not run twice).
    const idempotency = durable ? await createKvIdempotency({ connection, replicas }) : undefined;
    const registry = RegistryConfig.parse(JSON.parse(readFileSync(env.TROUPE_MODELS_CONFIG, 'utf8')));
    const reference = registry.models.find((model) => model.id === registry.referenceModel);
    const budgets = env.TROUPE_BUDGETS === 'true' ? await createKvBudgetLedger({ connection }) : undefined;
    const router =
      env.TROUPE_ROUTING === 'off' || registry.models.length === 0
        ? undefined
        : env.TROUPE_ROUTER
          ? loadRouter(JSON.parse(readFileSync(env.TROUPE_ROUTER, 'utf8')), { models: registry.models })
          : createRouter({ models: registry.models });
    const shared = router && (env.TROUPE_ROUTER_STATE ?? (durable ? 'kv' : 'local')) === 'kv'
      ? await syncRouter({ connection, models: registry.models, logger, replicas })
      : undefined;
    const routing = shared ? { chooseModel: shared.chooseModel, onVerdict: undefined } : router ? createRouterPolicy(router) : undefined;
    if (shared) logger.info({ routerVersion: shared.version() }, 'routing from the router in NATS KV');
    const service = await hostPlanner({
      ...(reference ? { referencePricing: reference.pricing } : {}),
      ...(routing ? { chooseModel: routing.chooseModel, ...(routing.onVerdict ? { onVerdict: routing.onVerdict } : {}) } : {}),
      // Each skill's cascade from the deployed router's policy, for nodes that pin no model or cascade.
      ...(shared ? { cascadeFor: shared.cascadeFor } : {}),
      ...(budgets ? { onTaskStart: async (task) => {
        if (task.budgetUsd !== undefined) await budgets.setLimit(taskScope(`${task.tenant}.${task.id}`), task.budgetUsd);
      } } : {}),
      connection,
      pipelines,
      logger,
      ...(queue && store ? { queue, store, concurrency: env.TROUPE_PLANNER_CONCURRENCY } : {}),
      ...(idempotency ? { idempotency } : {}),
      requestMarginMs: env.TROUPE_REQUEST_MARGIN_MS,
      judgeTimeoutMs: env.TROUPE_JUDGE_TIMEOUT_MS,
      streamTokens: env.TROUPE_STREAM_TOKENS === 'true',
      ...(env.TROUPE_MAX_PAYLOAD_BYTES ? { maxPayloadBytes: env.TROUPE_MAX_PAYLOAD_BYTES } : {}),
    });
    logger.info({ pipelines: pipelines.map((pipeline) => pipeline.name), durable }, 'planner listening');
    return {
      stop: async () => {
        // Stops pulling, drains for the grace period, then stores and gives back unfinished tasks.
        await service.stop(env.TROUPE_SHUTDOWN_GRACE_MS);
        await shared?.stop();
        await queue?.dispose();
      },
    };
  },
});
