import type { TokenUsage } from '@troupe/protocol';
import { costOf, maxCostOf, type CallOptions, type LanguageModel, type Pricing, type StreamPart } from '@troupe/models';
import type { BudgetScope } from './budget-scope.js';
import type { BudgetLedger, Reservation } from './budget-ledger.js';
import type { Logger } from './logger.js';
import { estimateInputTokensUpperBound } from './token-estimate.js';

export interface BudgetedModelOptions {
  ledger: BudgetLedger;
  /** Usually `[tenantScope(tenant), taskScope(taskId)]`. */
  scopes: BudgetScope | readonly BudgetScope[];
  /**
   * The price every call is reserved at: the wrapped model's (ModelConfig.pricing) or, for a fallback
   * chain, the highest price among its models (`highestPricing`), so a fallback to a dearer model after
   * the reservation cannot overshoot the budget.
   */
  pricing: Pricing;
  /** The price of the model that really answered (`servedBy`, set by a fallback chain); settles at `pricing` when unknown. */
  pricingOf?: (servedBy: string) => Pricing | undefined;
  /** Output cap for calls that set none; it is sent to the model, so the reservation really bounds the cost (default 1024). */
  defaultMaxOutputTokens?: number;
  /** Upper bound of the prompt's tokens (default: UTF-8 bytes plus template overhead). */
  estimateInputTokens?: (call: CallOptions) => number;
  /** Reports each settled call: what it cost and what had been held for it. */
  onSettled?: (settled: { model: LanguageModel; usage: TokenUsage; costUsd: number; reservedUsd: number }) => void;
  logger?: Logger;
}

/**
 * Puts a model behind a budget: reserve the worst case (prompt bound + max output, priced) before
 * the call, settle the actual cost from the reported usage after, release if it fails. A call
 * that would overshoot is refused with BUDGET_EXCEEDED before any request is sent.
 *
 * @example
 * const model = createBudgetedModel(provider, { ledger, scopes: [tenantScope('acme'), taskScope(taskId)], pricing: config.pricing });
 */
export function createBudgetedModel(model: LanguageModel, options: BudgetedModelOptions): LanguageModel {
  const estimate = options.estimateInputTokens ?? estimateInputTokensUpperBound;
  const prepare = async (call: CallOptions) => {
    const maxOutputTokens = call.maxOutputTokens ?? options.defaultMaxOutputTokens ?? 1024;
    const reservation = await options.ledger.reserve(options.scopes, maxCostOf(estimate(call), maxOutputTokens, options.pricing));
    return { reservation, call: { ...call, maxOutputTokens } };
  };
  const settle = async (reservation: Reservation, usage: TokenUsage, servedBy: string | undefined) => {
    const costUsd = costOf(usage, (servedBy ? options.pricingOf?.(servedBy) : undefined) ?? options.pricing);
    try {
      await options.ledger.settle(reservation, costUsd);
    } catch (error) {
      // The call succeeded and was paid for: keep its answer; the hold lapses after its TTL.
      options.logger?.error({ err: error, reservation: reservation.id, costUsd }, 'could not settle a model call');
    }
    options.onSettled?.({ model, usage, costUsd, reservedUsd: reservation.amountUsd });
  };
  const release = (reservation: Reservation) =>
    options.ledger.release(reservation).catch((error: unknown) => options.logger?.error({ err: error, reservation: reservation.id }, 'could not release a reservation'));

  return {
    specificationVersion: 'troupe.v1',
    provider: model.provider,
    modelId: model.modelId,
    async doGenerate(call) {
      const prepared = await prepare(call);
      let result;
      try {
        result = await model.doGenerate(prepared.call);
      } catch (error) {
        await release(prepared.reservation);
        throw error;
      }
      await settle(prepared.reservation, result.usage, result.servedBy);
      return result;
    },
    async *doStream(call): AsyncIterable<StreamPart> {
      const prepared = await prepare(call);
      let closed = false;
      try {
        for await (const part of model.doStream(prepared.call)) {
          if (part.type === 'finish') {
            closed = true;
            await settle(prepared.reservation, part.usage, part.servedBy);
          }
          yield part;
        }
      } catch (error) {
        if (!closed) {
          closed = true;
          await release(prepared.reservation);
        }
        throw error;
      } finally {
        if (!closed) {
          // Stopped early: the provider still bills what it generated, so charge the hold in full.
          await options.ledger.settle(prepared.reservation, prepared.reservation.amountUsd).catch(() => undefined);
        }
      }
    },
  };
}
