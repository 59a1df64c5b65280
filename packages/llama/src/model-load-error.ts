import { ErrorCode, TroupeError } from '@troupe/protocol';
import { InsufficientMemoryError } from 'node-llama-cpp';

/**
 * Normalises a failure to load a model or create its context into MODEL_LOAD_FAILED with a message
 * an operator can act on. node-llama-cpp checks memory before allocating, so "does not fit" arrives
 * as `InsufficientMemoryError` rather than as a crash.
 */
export function toModelLoadError(error: unknown, modelId: string, filePath: string): TroupeError {
  if (error instanceof TroupeError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof InsufficientMemoryError) {
    return new TroupeError(
      ErrorCode.MODEL_LOAD_FAILED,
      `model "${modelId}" does not fit in memory (${message}); use a smaller quantization, a smaller contextSize or ` +
        `maxConcurrency, or fewer gpuLayers`,
      { cause: error, details: { modelId, path: filePath, reason: 'insufficient-memory' } },
    );
  }
  return new TroupeError(ErrorCode.MODEL_LOAD_FAILED, `failed to load model "${modelId}" from ${filePath}: ${message}`, {
    cause: error,
    details: { modelId, path: filePath },
  });
}
