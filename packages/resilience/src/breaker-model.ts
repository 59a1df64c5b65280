import type { LanguageModel, StreamPart } from '@troupe/models';
import type { CircuitBreakers } from './circuit-breakers.js';

/** The breaker key of a model: one breaker per provider+model. */
export function breakerKeyOf(model: Pick<LanguageModel, 'provider' | 'modelId'>): string {
  return `${model.provider}.${model.modelId}`;
}

/**
 * Guards a model with its circuit breaker: calls are refused with CIRCUIT_OPEN while it is open,
 * and every outcome (a whole stream included) is recorded against `provider.modelId`.
 */
export function createBreakerModel(model: LanguageModel, breakers: CircuitBreakers, key = breakerKeyOf(model)): LanguageModel {
  return {
    specificationVersion: 'troupe.v1',
    provider: model.provider,
    modelId: model.modelId,
    async doGenerate(call) {
      const permit = await breakers.acquire(key);
      try {
        const result = await model.doGenerate(call);
        await breakers.recordSuccess(permit);
        return result;
      } catch (error) {
        await breakers.recordFailure(permit, error);
        throw error;
      }
    },
    async *doStream(call): AsyncIterable<StreamPart> {
      const permit = await breakers.acquire(key);
      let settled = false;
      try {
        for await (const part of model.doStream(call)) {
          if (part.type === 'finish') {
            settled = true;
            await breakers.recordSuccess(permit);
          }
          yield part;
        }
      } catch (error) {
        if (!settled) {
          settled = true;
          await breakers.recordFailure(permit, error);
        }
        throw error;
      } finally {
        // The consumer stopped reading before the end: the call proved nothing either way.
        if (!settled) await breakers.release(permit);
      }
    },
  };
}
