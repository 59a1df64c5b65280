import type { NatsConnection } from '@nats-io/nats-core';
import type { NodeResultLedger } from '@troupe/store-contract';
import { trace } from '@opentelemetry/api';
import { createActor, fromPromise, toPromise } from 'xstate';
import { ErrorCode, QueueGroup, SubtaskRequest, TroupeError, subjects, type WorkerResult } from '@troupe/protocol';
import { createTroupeService, defineEndpoint, encodeJson, silentLogger, type Logger, type TroupeService } from '@troupe/transport';
import { runSubtask, workerMachine, type ResolvedModel } from '@troupe/worker';
import type { ModelCatalog } from './model-catalog.js';
import { WORKER_SERVICE_NAME } from './skill-directory.js';
import { cacheRef, cachedResult, modelTierOf, prepareContext, type WorkerContextLayer } from './worker-context.js';
import { promoteFromVerdictFeed } from './cache-promoter.js';

export interface WorkerHostOptions {
  connection: NatsConnection;
  /** Skills this worker serves, one endpoint (and queue group) each. */
  skills: readonly string[];
  models: ModelCatalog;
  /** Model used when the request names none; defaults to the catalog's cheapest for the skill. */
  defaultModel?: string;
  logger?: Logger;
  maxOutputTokens?: number;
  maxPayloadBytes?: number;
  workerId?: string;
  /**
   * Makes node attempts durable across worker replicas: each (task, node, attempt) runs at most
   * once and its result is replayed to a resumed planner instead of paying for the model again.
   */
  ledger?: NodeResultLedger;
  /** Wraps the resolved model per request, e.g. to reserve and settle budget for the request's task and tenant. */
  wrapModel?: (resolved: ResolvedModel, request: SubtaskRequest) => ResolvedModel;
  /** Semantic cache asked before each model call, and the store that fills a node's `context`. */
  context?: WorkerContextLayer;
}

export type { NodeResultLedger } from '@troupe/store-contract';

/**
 * Hosts worker actors on `troupe.v1.internal.skills.<skill>`: each request runs the worker machine
 * (model call with timeout and abort) and replies with a WorkerResult carrying usage and cost.
 */
export async function hostWorker(options: WorkerHostOptions): Promise<TroupeService> {
  const { connection, models } = options;
  const logger = (options.logger ?? silentLogger).child({ actor: 'worker' });
  const totals = { costUsd: 0, inputTokens: 0, outputTokens: 0, calls: 0, queueWaitMs: 0, lastTokensPerSecond: 0, lastTimeToFirstTokenMs: 0 };

  const resolveModel = async (request: SubtaskRequest): Promise<ResolvedModel> => {
    const id = request.model ?? options.defaultModel ?? models.defaultFor(request.skill)?.id;
    if (!id) throw new TroupeError(ErrorCode.NO_ROUTE, `no model is registered for skill "${request.skill}"`);
    const resolved = await models.get(id);
    if (!loaded.has(id)) await loadWithProgress(id, resolved, request);
    return options.wrapModel ? options.wrapModel(resolved, request) : resolved;
  };

  // The first request for a local model waits for it to load: tell that task's followers how far along it is.
  const loaded = new Set<string>();
  // What each local model runs with (threads, sequences, concurrency, backend), for `troupe status` via $SRV.STATS.
  const localModels: Record<string, Record<string, unknown>> = {};
  // Staged answers enter the cache when the judge passes them (the feed; the subscription ends with the connection).
  if (options.context?.cache) promoteFromVerdictFeed({ connection, cache: options.context.cache, logger });
  const loadWithProgress = async (id: string, resolved: ResolvedModel, request: SubtaskRequest) => {
    const loadable = resolved.model as { load?: (options: { onProgress?: (progress: number) => void }) => Promise<unknown> };
    if (typeof loadable.load === 'function') {
      const events = subjects.taskEvents(request.tenant, request.taskId);
      const info = await loadable.load({
        onProgress: (progress) => connection.publish(events, encodeJson({ type: 'model.loading', taskId: request.taskId, at: Date.now(), model: id, progress })),
      });
      if (info && typeof info === 'object' && 'threads' in info) {
        const { threads, sequences, concurrency, backend, contextSize } = info as Record<string, unknown>;
        localModels[id] = { threads, sequences, concurrency, backend, contextSize };
      }
    }
    loaded.add(id);
  };

  const handle = (request: SubtaskRequest, signal: AbortSignal): Promise<WorkerResult> =>
    options.ledger ? options.ledger.runOnce(request, () => execute(request, signal), signal) : execute(request, signal);

  const execute = async (request: SubtaskRequest, signal: AbortSignal): Promise<WorkerResult> => {
    const events = subjects.taskEvents(request.tenant, request.taskId);
    const started = performance.now();
    const modelId = request.model ?? options.defaultModel ?? models.defaultFor(request.skill)?.id;
    const prepared = await prepareContext(options.context, request, modelTierOf(models.configs.find((config) => config.id === modelId)));
    // A cache that cannot answer (KV unavailable) is a miss, never a failed node.
    const lookup =
      prepared.partition && prepared.serveFromCache
        ? await options.context?.cache?.lookup(prepared.partition, prepared.question).catch((error: unknown) => void logger.warn({ err: error }, 'semantic cache lookup failed; calling the model'))
        : undefined;
    if (lookup?.hit) {
      const { cache, similarity, savedCostUsd } = lookup.hit;
      connection.publish(events, encodeJson({ type: 'node.cache-hit', taskId: request.taskId, at: Date.now(), nodeId: request.nodeId, cache, similarity, savedCostUsd }));
      return { ...cachedResult(request, lookup.hit, performance.now() - started, options.workerId), ...(prepared.retrieval ? { retrieval: prepared.retrieval } : {}) };
    }
    const machine = workerMachine.provide({
      actors: {
        generate: fromPromise(async ({ input, signal: actorSignal }) =>
          runSubtask(input, {
            resolveModel,
            signal: AbortSignal.any([actorSignal, signal]),
            ...(options.maxOutputTokens ? { maxOutputTokens: options.maxOutputTokens } : {}),
            ...(options.workerId ? { workerId: options.workerId } : {}),
            onToken: (delta) =>
              connection.publish(events, encodeJson({ type: 'node.token', taskId: request.taskId, at: Date.now(), nodeId: request.nodeId, delta })),
          }),
        ),
      },
    });
    const actor = createActor(machine, { input: { request: prepared.request } }).start();
    const outcome = await toPromise(actor);
    if (!outcome.ok) throw TroupeError.fromReply(outcome.error);
    totals.calls += 1;
    totals.costUsd += outcome.result.costUsd;
    totals.inputTokens += outcome.result.usage.inputTokens;
    totals.outputTokens += outcome.result.usage.outputTokens;
    const { metrics, usage, model, provider, costUsd } = outcome.result;
    totals.queueWaitMs += metrics.queueWaitMs;
    totals.lastTokensPerSecond = metrics.tokensPerSecond ?? totals.lastTokensPerSecond;
    totals.lastTimeToFirstTokenMs = metrics.timeToFirstTokenMs ?? totals.lastTimeToFirstTokenMs;
    // OpenTelemetry GenAI attributes on the worker's span for this request.
    trace.getActiveSpan()?.setAttributes({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': provider,
      'gen_ai.request.model': model,
      'gen_ai.usage.input_tokens': usage.inputTokens,
      'gen_ai.usage.output_tokens': usage.outputTokens,
      'troupe.cost_usd': costUsd,
      'troupe.task.id': request.taskId,
      'troupe.node.id': request.nodeId,
      'troupe.queue_wait_ms': metrics.queueWaitMs,
      ...(metrics.timeToFirstTokenMs !== undefined ? { 'troupe.time_to_first_token_ms': metrics.timeToFirstTokenMs } : {}),
      ...(metrics.tokensPerSecond !== undefined ? { 'troupe.tokens_per_second': metrics.tokensPerSecond } : {}),
      ...(metrics.confidenceMean !== undefined ? { 'troupe.confidence.mean': metrics.confidenceMean, 'troupe.confidence.min': metrics.confidenceMin ?? metrics.confidenceMean } : {}),
    });
    if (prepared.partition) {
      // Staged, not stored: only the judge's pass (promote) puts an answer where others can be served it.
      const { output, text, model: answeredBy } = outcome.result;
      await options.context?.cache
        ?.stage(cacheRef(request), prepared.partition, prepared.question, { output, ...(text !== undefined ? { text } : {}), model: answeredBy, costUsd })
        .catch((error: unknown) => logger.warn({ err: error }, 'could not stage the answer for the semantic cache'));
    }
    return prepared.retrieval ? { ...outcome.result, retrieval: prepared.retrieval } : outcome.result;
  };

  return createTroupeService({
    connection,
    name: WORKER_SERVICE_NAME,
    version: '0.1.0',
    description: `Runs skills ${options.skills.join(', ')} on local or frontier models.`,
    // Embedding-only registry entries serve no skill; advertising them would let a node pin them.
    metadata: { skills: options.skills.join(','), models: models.configs.filter((config) => config.capabilities.some((capability) => capability !== 'embedding')).map((config) => config.id).join(',') },
    logger,
    ...(options.maxPayloadBytes ? { maxPayloadBytes: options.maxPayloadBytes } : {}),
    stats: () => ({ ...totals, defaultModel: options.defaultModel ?? null, loadedModels: [...loaded], localModels }),
    endpoints: options.skills.map((skill) =>
      defineEndpoint({
      name: skill,
      subject: subjects.workerRun(skill),
      queue: QueueGroup.worker(skill),
      schema: SubtaskRequest,
      spanName: 'troupe.worker.run',
      idempotent: true,
      metadata: { skill },
        handle: (request, context) => handle(request, context.signal),
      }),
    ),
  });
}
