import { ErrorCode, TroupeError } from '@troupe/protocol';
import type { CallOptions, LanguageModel, StreamPart } from '@troupe/models';

/**
 * Bounds every call (a whole stream included) to `timeoutMs`. The inner call's signal is aborted
 * at the deadline, and the caller gets TIMEOUT then even if the inner model ignores its signal.
 */
export function createTimeoutModel(model: LanguageModel, timeoutMs: number): LanguageModel {
  const deadline = (call: CallOptions) => {
    const controller = new AbortController();
    let fired = false;
    let rejectExpired: (error: TroupeError) => void = () => undefined;
    const expired = new Promise<never>((_, reject) => (rejectExpired = reject));
    expired.catch(() => undefined);
    const timeoutError = () =>
      new TroupeError(ErrorCode.TIMEOUT, `${model.provider} ${model.modelId}: no answer within ${timeoutMs} ms`, {
        details: { provider: model.provider, modelId: model.modelId, timeoutMs },
      });
    const timer = setTimeout(() => {
      fired = true;
      const error = timeoutError();
      controller.abort(error);
      rejectExpired(error);
    }, timeoutMs);
    const signal = call.signal ? AbortSignal.any([call.signal, controller.signal]) : controller.signal;
    return {
      call: { ...call, signal },
      expired,
      /** The deadline's TIMEOUT replaces whatever the aborted call threw. */
      translate: (error: unknown) => (fired ? timeoutError() : error),
      clear: () => clearTimeout(timer),
    };
  };
  return {
    specificationVersion: 'troupe.v1',
    provider: model.provider,
    modelId: model.modelId,
    async doGenerate(call) {
      const scope = deadline(call);
      try {
        return await Promise.race([model.doGenerate(scope.call), scope.expired]);
      } catch (error) {
        throw scope.translate(error);
      } finally {
        scope.clear();
      }
    },
    async *doStream(call): AsyncIterable<StreamPart> {
      const scope = deadline(call);
      const iterator = model.doStream(scope.call)[Symbol.asyncIterator]();
      let done = false;
      try {
        for (;;) {
          const next = await Promise.race([iterator.next(), scope.expired]);
          if (next.done) break;
          yield next.value;
        }
        done = true;
      } catch (error) {
        throw scope.translate(error);
      } finally {
        scope.clear();
        // Not awaited: an inner stream that ignores its signal must not hold the caller.
        if (!done) void Promise.resolve(iterator.return?.()).catch(() => undefined);
      }
    },
  };
}
