import { ErrorCode, TroupeError, getTroupeErrorFromUnknown } from '@troupe/protocol';

export interface CallSignalSources {
  modelId: string;
  /** The caller's signal; aborting it ends the call with CANCELLED. */
  signal?: AbortSignal;
  /** Deadline for the whole call, queue wait included; reaching it ends the call with TIMEOUT. */
  timeoutMs?: number;
  /** Aborted when the model is disposed; ends the call with DISPOSED. */
  shutdown: AbortSignal;
}

/** One signal for a model call whose `reason` is always a TroupeError saying why it stopped. */
export interface CallSignal {
  readonly signal: AbortSignal;
  /** Clears the timer and listeners; call it when the call settles. */
  dispose(): void;
}

/**
 * Merges the caller's signal, the call deadline and model shutdown into one signal. Its reason is
 * the TroupeError to throw, so every layer below (slot queue, node-llama-cpp) just rethrows it.
 */
export function createCallSignal(sources: CallSignalSources): CallSignal {
  const controller = new AbortController();
  const abort = (error: TroupeError) => {
    if (!controller.signal.aborted) controller.abort(error);
  };
  const onCallerAbort = () =>
    abort(new TroupeError(ErrorCode.CANCELLED, `call to model "${sources.modelId}" was cancelled`, { cause: sources.signal?.reason }));
  const onShutdown = () => abort(new TroupeError(ErrorCode.DISPOSED, `model "${sources.modelId}" was disposed during the call`));

  if (sources.signal?.aborted) onCallerAbort();
  else sources.signal?.addEventListener('abort', onCallerAbort, { once: true });
  if (sources.shutdown.aborted) onShutdown();
  else sources.shutdown.addEventListener('abort', onShutdown, { once: true });
  const timer =
    sources.timeoutMs === undefined
      ? undefined
      : setTimeout(
          () => abort(new TroupeError(ErrorCode.TIMEOUT, `model "${sources.modelId}" did not finish within ${sources.timeoutMs} ms`)),
          sources.timeoutMs,
        );
  timer?.unref();

  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      sources.signal?.removeEventListener('abort', onCallerAbort);
      sources.shutdown.removeEventListener('abort', onShutdown);
    },
  };
}

/**
 * The error a call rejects with: the abort reason when the call signal fired (node-llama-cpp
 * rethrows `signal.reason`, but a racing native error must not mask a cancel), else the error
 * normalised to a TroupeError with PROVIDER_ERROR for anything unknown.
 */
export function toCallError(error: unknown, signal: AbortSignal): TroupeError {
  if (signal.aborted && signal.reason instanceof TroupeError) return signal.reason;
  if (error instanceof Error && error.name === 'DisposedError') {
    return new TroupeError(ErrorCode.DISPOSED, error.message, { cause: error });
  }
  return getTroupeErrorFromUnknown(error, ErrorCode.PROVIDER_ERROR);
}
