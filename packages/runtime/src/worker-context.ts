import { trace } from '@opentelemetry/api';
import type { CachePartition, ContextStore, SemanticCache } from '@troupe/context';
import { createFaqModel, formatRetrievedContext } from '@troupe/context';
import { createTemplateModel, type LanguageModel, type ModelConfig } from '@troupe/models';
import type { RetrievalReport, SubtaskRequest, WorkerResult } from '@troupe/protocol';

/**
 * The context layer as a worker sees it: a semantic cache asked before every model call, and a
 * context store that fills a node's `context: { collection, query?, k }` into its prompt.
 */
export interface WorkerContextLayer {
  cache?: SemanticCache;
  store?: ContextStore;
}

/** What the worker does with one request after asking the context layer. */
export interface PreparedContext {
  /** The request to run: retrieved chunks appended to its instructions. */
  request: SubtaskRequest;
  retrieval?: RetrievalReport;
  /** Where the answer is cached (absent when the node opted out or no cache is configured). */
  partition?: CachePartition;
  /**
   * Only a first attempt is served from the cache: a retry carries the judge's feedback on an answer,
   * and serving the same stored answer again would fail the same way.
   */
  serveFromCache: boolean;
  question: string;
}

/** The text a node answers: the task's own input, not the planner's wrapper around it. */
export function questionOf(input: unknown): string {
  const task = input && typeof input === 'object' && 'task' in input ? (input as { task: unknown }).task : input;
  if (typeof task === 'string') return task;
  if (task && typeof task === 'object') {
    for (const field of ['question', 'ticket', 'text', 'message', 'query', 'prompt']) {
      const value = (task as Record<string, unknown>)[field];
      if (typeof value === 'string') return value;
    }
  }
  return JSON.stringify(task ?? null);
}

/** Answers from a weaker tier never serve a stronger one: local and frontier are separate partitions. */
export function modelTierOf(config: ModelConfig | undefined): string {
  if (!config) return 'default';
  return ['llama-cpp', 'template', 'echo', 'classifier', 'replay'].includes(config.provider) ? 'local' : 'frontier';
}

/** `<tenant>.<task>.<node>.<attempt>`: where an answer waits for the judge before it is cached. */
export function cacheRef(request: Pick<SubtaskRequest, 'tenant' | 'taskId' | 'nodeId' | 'attempt'>): string {
  return `${request.tenant}.${request.taskId}.${request.nodeId}.${request.attempt}`;
}

/** Retrieves the node's context (if it declares one) and works out its cache partition. */
export async function prepareContext(layer: WorkerContextLayer | undefined, request: SubtaskRequest, tier: string): Promise<PreparedContext> {
  const question = questionOf(request.input);
  let prepared: PreparedContext = { request, question, serveFromCache: request.attempt === 1 && request.feedback.length === 0 };
  if (layer?.store && request.context) {
    const spec = request.context;
    const chunks = await layer.store.retrieve({ collection: spec.collection, query: spec.query ?? question, k: spec.k, ...(spec.minScore !== undefined ? { minScore: spec.minScore } : {}) });
    const context = formatRetrievedContext(chunks);
    prepared = {
      ...prepared,
      request: { ...request, instructions: `${request.instructions}\n\nRetrieved context (answer only from it; cite nothing else):\n${context}`.trim() },
      retrieval: { collection: spec.collection, chunks: chunks.map((chunk) => ({ id: chunk.id, source: chunk.source, score: chunk.score })), context },
    };
    trace.getActiveSpan()?.setAttributes({ 'troupe.context.collection': spec.collection, 'troupe.context.chunks': chunks.length });
  }
  // Retrieval changes the prompt, so retrieved-context nodes cache under their collection too.
  if (layer?.cache && request.cache !== false && !request.chat) {
    // What else decides the answer is part of the key, never of the embedded question: the node's
    // instructions and its parents' outputs must match exactly (a `verify` of another reply is another question).
    const from = request.input && typeof request.input === 'object' && 'from' in request.input ? (request.input as { from: unknown }).from : null;
    prepared.partition = {
      tenant: request.tenant,
      skill: request.skill,
      outputSchema: { schema: request.outputSchema ?? null, instructions: request.instructions, from },
      modelTier: request.context ? `${tier}+${request.context.collection}` : tier,
    };
  }
  return prepared;
}

/** A WorkerResult for an answer served from the cache: no tokens, no cost, the hit reported. */
export function cachedResult(request: SubtaskRequest, hit: NonNullable<Awaited<ReturnType<SemanticCache['lookup']>>['hit']>, latencyMs: number, worker?: string): WorkerResult {
  trace.getActiveSpan()?.setAttributes({ 'troupe.cache': hit.cache, 'troupe.cache.similarity': hit.similarity, 'troupe.cache.saved_cost_usd': hit.savedCostUsd });
  return {
    taskId: request.taskId,
    nodeId: request.nodeId,
    attempt: request.attempt,
    output: hit.output,
    ...(hit.text !== undefined ? { text: hit.text } : {}),
    model: hit.model,
    provider: 'cache',
    usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 },
    costUsd: 0,
    metrics: { latencyMs, queueWaitMs: 0 },
    flagged: false,
    cache: { cache: hit.cache, similarity: hit.similarity, savedCostUsd: hit.savedCostUsd },
    ...(worker ? { worker } : {}),
  };
}

/** The slice of a planner verdict that promoting a staged answer needs. */
export interface VerdictSeen {
  task: { id: string; tenant: string };
  node: { id: string };
  result: WorkerResult;
  verdict: { decision: string; attempt: number };
}

/**
 * A planner `onVerdict` listener that promotes a staged answer into the semantic cache when the
 * judge passes it (and only then). An answer that itself came from the cache is not stored again.
 */
export function cacheOnVerdict(cache: Pick<SemanticCache, 'promote'>, onError?: (error: unknown) => void): (feedback: VerdictSeen) => void {
  return (feedback) => {
    if (feedback.verdict.decision !== 'pass' || feedback.result.cache) return;
    const ref = cacheRef({ tenant: feedback.task.tenant, taskId: feedback.task.id, nodeId: feedback.node.id, attempt: feedback.verdict.attempt });
    cache.promote(ref).catch((error: unknown) => onError?.(error));
  };
}

/**
 * The `template` provider's factory when a context store is configured: a template model that names
 * a `collection` answers from that FAQ collection (no LLM); one with keyword `templates` works as before.
 */
export function faqTemplateFactory(store: ContextStore): (config: ModelConfig) => LanguageModel {
  return (config) =>
    config.collection
      ? createFaqModel({ store, collection: config.collection, modelId: config.id })
      : createTemplateModel({ modelId: config.id, templates: config.templates ?? {} });
}
