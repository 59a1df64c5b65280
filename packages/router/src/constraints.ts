import type { ModelConfig } from '@troupe/models';
import type { ModelPrediction, RouteRequest } from './route-request.js';

/** Why a model cannot serve a request; `transient` reasons (breaker, load, latency) may clear by themselves. */
export interface Violation {
  reason: string;
  transient: boolean;
}

const usd = (value: number): string => `$${value.toPrecision(3)}`;

/**
 * The first hard constraint a model breaks for this request, or undefined when it is viable.
 * Checked in order of how permanent the reason is, so the reported reason is the most useful one.
 */
export function findViolation(
  prediction: ModelPrediction,
  config: ModelConfig | undefined,
  request: RouteRequest,
  promptTokens: number,
): Violation | undefined {
  const id = prediction.model;
  if (request.exclude?.includes(id)) return { reason: 'excluded: already tried for this request', transient: false };
  if (request.candidates && !request.candidates.includes(id)) return { reason: 'not among the requested candidates', transient: false };
  const requires = request.requires ?? [];
  if (requires.length > 0) {
    if (!config) return { reason: 'capabilities unknown: model is not in the registry', transient: false };
    const missing = requires.filter((capability) => !config.capabilities.includes(capability));
    if (missing.length > 0) return { reason: `lacks capability ${missing.join(', ')}`, transient: false };
  }
  if (request.skill && config && config.skills.length > 0 && !config.skills.includes(request.skill)) {
    return { reason: `does not serve skill "${request.skill}"`, transient: false };
  }
  if (request.privacy === 'local-only') {
    // Unknown privacy counts as cloud: a local-only task must never leak on a guess.
    if (!config) return { reason: 'privacy unknown (not in the registry), treated as cloud; task is local-only', transient: false };
    if (config.privacy !== 'local') return { reason: 'cloud model; task is local-only', transient: false };
  }
  if (config) {
    const needed = promptTokens + (request.maxOutputTokens ?? 0);
    if (needed > config.contextSize) {
      return { reason: `needs ~${needed} tokens, context is ${config.contextSize}`, transient: false };
    }
  }
  const health = request.health?.[id];
  if (health?.breakerOpen) return { reason: 'circuit breaker open', transient: true };
  if (health?.load !== undefined && health.load >= 1) return { reason: `saturated (load ${health.load.toFixed(2)})`, transient: true };
  if (request.latencyTargetMs !== undefined && health?.latencyMs !== undefined) {
    // Queueing stretches latency roughly in proportion to how busy the model already is.
    const expected = health.latencyMs * (1 + Math.max(0, health.load ?? 0));
    if (expected > request.latencyTargetMs) {
      return { reason: `expected latency ${Math.round(expected)} ms exceeds target ${request.latencyTargetMs} ms`, transient: true };
    }
  }
  if (request.budgetUsd !== undefined && prediction.costUsd > request.budgetUsd) {
    return { reason: `predicted cost ${usd(prediction.costUsd)} exceeds remaining budget ${usd(request.budgetUsd)}`, transient: false };
  }
  return undefined;
}
