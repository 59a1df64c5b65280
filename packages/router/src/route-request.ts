import type { Capability } from '@troupe/models';
import type { Quality } from '@troupe/protocol';

/** Live state of a model the caller knows and the router does not (breakers, queues, latency). */
export interface ModelHealth {
  /** An open circuit breaker rules the model out. */
  breakerOpen?: boolean;
  /** In-flight share of capacity (in-flight / maxConcurrency); 1 or more means saturated. */
  load?: number;
  /** Recent median latency of a call, used against `latencyTargetMs`. */
  latencyMs?: number;
}

/** What to route: the prompt, what the answer needs, and how much quality is worth. */
export interface RouteRequest {
  prompt: string;
  /** Task or skill tag (e.g. `summarise`, `mbpp`); a strong feature when the router was trained with tags. */
  task?: string | undefined;
  source?: string | undefined;
  /** Dense vector from the caller's local embedding model, when the router was trained with one. */
  embedding?: ArrayLike<number> | undefined;
  /** The user knob; ignored when `willingnessToPay` is given. Default 'balanced'. */
  quality?: Quality | undefined;
  /** USD the caller would pay for +1.0 of expected score; sets the cost weight to 1 / willingnessToPay. */
  willingnessToPay?: number | undefined;
  /** Capabilities the answer needs (e.g. `json`, `tools`). */
  requires?: readonly Capability[] | undefined;
  /** Skill the call serves; models with a non-empty `skills` list must include it. */
  skill?: string | undefined;
  /** `local-only` admits only models whose privacy is `local`. Default 'any'. */
  privacy?: 'any' | 'local-only' | undefined;
  /** Remaining budget in USD; a model whose predicted cost exceeds it is rejected. */
  budgetUsd?: number | undefined;
  /** Output tokens to reserve: used for the context check and to price models without cost history. */
  maxOutputTokens?: number | undefined;
  latencyTargetMs?: number | undefined;
  /** Per model id; models absent here count as healthy. */
  health?: Readonly<Record<string, ModelHealth>> | undefined;
  /** Models already tried for this node (a reroute must pick another). */
  exclude?: readonly string[] | undefined;
  /** Restrict routing to these model ids. */
  candidates?: readonly string[] | undefined;
}

/** The router's view of one model for one prompt, before constraints. */
export interface ModelPrediction {
  model: string;
  /** Expected score in [0, 1]. */
  quality: number;
  costUsd: number;
}

/** A viable model with its objective value (quality − costWeight × cost). */
export interface RankedCandidate extends ModelPrediction {
  objective: number;
}

/** The routing decision. */
export interface RouteDecision {
  model: string;
  predictedQuality: number;
  predictedCostUsd: number;
  /** λ of the objective quality − λ·cost, in score per USD. */
  costWeight: number;
  /** Viable models, best objective first. */
  ranked: RankedCandidate[];
  /** Why each non-viable model was ruled out. */
  rejected: Record<string, string>;
  /** Viable models cheapest first, each predicted better than all cheaper ones: the FrugalGPT escalation order. */
  cascade: ModelPrediction[];
}

/** A labelled outcome for online learning: the judge's verdict on one model's answer. */
export interface OutcomeExample {
  prompt: string;
  task?: string | undefined;
  source?: string | undefined;
  embedding?: ArrayLike<number> | undefined;
  model: string;
  /** In [0, 1]. */
  score: number;
  /** What the call actually cost; improves cost prediction when given. */
  costUsd?: number | undefined;
}
