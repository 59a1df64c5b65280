import type { ModelConfig } from '@troupe/models';
import { ErrorCode, TroupeError, type Quality } from '@troupe/protocol';
import { findViolation } from './constraints.js';
import { observeCost, predictCost } from './cost-model.js';
import { predictQuality, updateQuality, type LearnerSettings } from './quality-model.js';
import { QUALITY_KNOBS, cascadeOrder, costWeightFor, rankByObjective } from './route-objective.js';
import type { ModelPrediction, OutcomeExample, RouteDecision, RouteRequest } from './route-request.js';
import { deserializeState, serializeState, type SerializedRouter } from './router-serialization.js';
import { UNKNOWN_MODEL_PRIOR, createRouterState, ensureProfile, type RouterState } from './router-state.js';
import type { FeatureOptions } from './text-features.js';
import { estimateTokens } from './token-estimate.js';

/** Options shared by `createRouter`, `loadRouter` and `trainRouter`. */
export interface RouterOptions {
  /**
   * The model registry. When given, only these models are routed to (others the router learned
   * about are kept but never chosen), and their capabilities, context, privacy, skills and
   * pricing apply. Without it every learned model is a candidate (offline replay).
   */
  models?: readonly ModelConfig[] | undefined;
  features?: Partial<FeatureOptions> | undefined;
  learner?: Partial<LearnerSettings> | undefined;
  /** Length of the caller's embedding vectors; 0 (default) means text features only. */
  embeddingDimension?: number | undefined;
  /** Override κ per quality knob (see QUALITY_KNOBS). */
  knobs?: Partial<Record<Quality, number>> | undefined;
}

/** The prompt part of a request: all `predict` needs. */
export type PredictRequest = Pick<RouteRequest, 'prompt' | 'task' | 'source' | 'embedding' | 'maxOutputTokens'>;

/** A learned N-way router. Synchronous and allocation-light: meant to run on every subtask. */
export interface Router {
  /** Ids the router may choose from. */
  readonly models: readonly string[];
  /** Predicted quality and cost of every routable model for a prompt, before constraints. */
  predict(request: PredictRequest): ModelPrediction[];
  /** Picks a model: hard constraints, then max quality − λ·cost. Throws TroupeError NO_ROUTE with `details.rejected`. */
  route(request: RouteRequest): RouteDecision;
  /** Learns from one labelled outcome (e.g. a judge verdict); unknown models are added at their prior. */
  update(example: OutcomeExample): void;
  /** JSON for `loadRouter`. */
  toJSON(): SerializedRouter;
}

/**
 * Wraps a learned state in the routing API. Internal entry for `trainRouter` and `loadRouter`.
 */
export function routerFromState(state: RouterState, options: Pick<RouterOptions, 'models' | 'knobs'> = {}): Router {
  const registry = new Map((options.models ?? []).map((config) => [config.id, config]));
  for (const config of registry.values()) ensureProfile(state, config.id, config.qualityPrior ?? UNKNOWN_MODEL_PRIOR);
  const knobs = { ...QUALITY_KNOBS, ...options.knobs };
  const routable = (): string[] => (registry.size > 0 ? [...registry.keys()] : [...state.profiles.keys()]);
  let models = routable();

  const predictWith = (request: PredictRequest, tokens: number): ModelPrediction[] => {
    const features = state.extractor.extract(request.prompt, request, request.embedding);
    return models.map((model) => {
      const profile = ensureProfile(state, model);
      return {
        model,
        quality: predictQuality(profile.quality, features),
        costUsd: predictCost(profile.cost, tokens, {
          task: request.task,
          pricing: registry.get(model)?.pricing,
          maxOutputTokens: request.maxOutputTokens,
        }),
      };
    });
  };

  return {
    get models() {
      return models;
    },
    predict(request) {
      return predictWith(request, estimateTokens(request.prompt));
    },
    route(request) {
      const tokens = estimateTokens(request.prompt);
      const viable: ModelPrediction[] = [];
      const rejected: Record<string, string> = {};
      let allTransient = true;
      for (const prediction of predictWith(request, tokens)) {
        const violation = findViolation(prediction, registry.get(prediction.model), request, tokens);
        if (violation) {
          rejected[prediction.model] = violation.reason;
          allTransient &&= violation.transient;
        } else viable.push(prediction);
      }
      if (viable.length === 0) {
        throw new TroupeError(ErrorCode.NO_ROUTE, `no model satisfies the request's constraints (${models.length} considered)`, {
          details: { rejected },
          // Open breakers and full queues clear with time; a missing capability does not.
          retryable: models.length > 0 && allTransient,
        });
      }
      const costWeight = costWeightFor(request, viable, knobs);
      const ranked = rankByObjective(viable, costWeight);
      const best = ranked[0] as (typeof ranked)[number];
      return {
        model: best.model,
        predictedQuality: best.quality,
        predictedCostUsd: best.costUsd,
        costWeight,
        ranked,
        rejected,
        cascade: cascadeOrder(viable),
      };
    },
    update(example) {
      const isNew = !state.profiles.has(example.model);
      const profile = ensureProfile(state, example.model, registry.get(example.model)?.qualityPrior ?? UNKNOWN_MODEL_PRIOR);
      if (isNew) models = routable();
      const features = state.extractor.extract(example.prompt, example, example.embedding);
      updateQuality(profile.quality, features, example.score, state.learner);
      if (example.costUsd !== undefined) observeCost(profile.cost, example.costUsd, estimateTokens(example.prompt), example.task);
    },
    toJSON() {
      return serializeState(state);
    },
  };
}

/**
 * A router that has learned nothing yet: registry models start at their `qualityPrior`
 * (0.5 when absent) and are priced from `pricing`. Feed it outcomes with `update`, or use `trainRouter`.
 *
 * @example
 * const router = createRouter({ models: registry.models });
 * const decision = router.route({ prompt, task: 'summarise', quality: 'balanced', budgetUsd: 0.01 });
 */
export function createRouter(options: RouterOptions = {}): Router {
  return routerFromState(createRouterState(options), options);
}

/** Rebuilds a router from `router.toJSON()` (or its parsed JSON text), with the run-time registry. */
export function loadRouter(json: unknown, options: Pick<RouterOptions, 'models' | 'knobs'> = {}): Router {
  return routerFromState(deserializeState(json), options);
}
