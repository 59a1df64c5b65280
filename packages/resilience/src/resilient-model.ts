import type { LanguageModel } from '@troupe/models';
import { createBreakerModel } from './breaker-model.js';
import type { CircuitBreakers } from './circuit-breakers.js';
import { createFallbackModel, type FallbackOptions } from './fallback-model.js';
import type { Logger } from './logger.js';
import { createRetryingModel } from './retrying-model.js';
import { createTimeoutModel } from './timeout-model.js';
import type { RetryOptions } from './with-retry.js';

/** One model of a resilient chain. */
export interface ResilientEntry {
  model: LanguageModel;
  /** Context window in tokens, for CONTEXT_OVERFLOW fallback (ModelConfig.contextSize). */
  contextSize?: number;
  /** Per-attempt deadline (ModelConfig.timeoutMs); falls back to the chain's `timeoutMs`. */
  timeoutMs?: number;
}

export interface ResilientModelOptions extends FallbackOptions {
  /** In fallback order: the cheapest acceptable model first. */
  models: ReadonlyArray<LanguageModel | ResilientEntry>;
  /** Shared breakers (one per provider+model); omit to run without breakers. */
  breakers?: CircuitBreakers;
  /** Per-model retry policy; `false` disables retries. */
  retry?: Omit<RetryOptions, 'signal'> | false;
  /** Default per-attempt deadline for entries that set none. */
  timeoutMs?: number;
  /** Wraps each entry outermost (after retry), e.g. to reserve budget with that model's pricing. */
  decorate?: (model: LanguageModel, index: number) => LanguageModel;
  logger?: Logger;
}

/**
 * The one composition workers should use. Per model, inside out: deadline per attempt → circuit
 * breaker (every attempt counted, open breaker refuses at once) → retry with backoff (never on
 * CIRCUIT_OPEN) → `decorate`; then a fallback chain across models that moves on for retryable
 * failures, open breakers and, on CONTEXT_OVERFLOW, to a model with a larger window.
 *
 * @example
 * const model = createResilientModel({
 *   models: [{ model: claude, contextSize: 200_000, timeoutMs: 30_000 }, { model: gpt, contextSize: 1_000_000 }, local],
 *   breakers, retry: { maxAttempts: 3 }, timeoutMs: 60_000,
 * });
 */
export function createResilientModel(options: ResilientModelOptions): LanguageModel {
  const chain = options.models.map((item, index) => {
    const entry: ResilientEntry = 'model' in item ? item : { model: item };
    let model = entry.model;
    const timeoutMs = entry.timeoutMs ?? options.timeoutMs;
    if (timeoutMs !== undefined) model = createTimeoutModel(model, timeoutMs);
    if (options.breakers) model = createBreakerModel(model, options.breakers);
    if (options.retry !== false) model = createRetryingModel(model, { ...options.retry, ...(options.logger ? { logger: options.logger } : {}) });
    if (options.decorate) model = options.decorate(model, index);
    return { model, ...(entry.contextSize === undefined ? {} : { contextSize: entry.contextSize }) };
  });
  return createFallbackModel(chain, options);
}
