import type { CallOptions, GenerateResult, StreamPart } from '@troupe/models';
import { openCallScope, type CallScope } from './call-scope.js';
import type { Logger } from './logger.js';
import { toProviderError } from './provider-error.js';

/** What every provider call shares: identity, the secret to keep out of errors, the deadline. */
export interface ProviderRuntime {
  provider: string;
  modelId: string;
  secrets: readonly string[];
  timeoutMs: number;
  logger: Logger | undefined;
}

/** Per-call state handed to the SDK-specific code. */
export interface ProviderCall {
  scope: CallScope;
  /** Remembers a failed response's headers for SDKs whose errors drop them (Gemini). */
  captureHeaders(headers: Headers): void;
}

function start(runtime: ProviderRuntime, call: CallOptions) {
  let responseHeaders: Headers | undefined;
  const scope = openCallScope(call.signal, runtime.timeoutMs);
  const providerCall: ProviderCall = { scope, captureHeaders: (headers) => (responseHeaders = headers) };
  const fail = (thrown: unknown) => {
    const error = toProviderError(thrown, { ...runtime, scope, responseHeaders });
    runtime.logger?.warn({ err: error, code: error.code, retryable: error.retryable }, 'model call failed');
    return error;
  };
  return { scope, providerCall, fail };
}

/** Runs one non-streaming call with the deadline, error mapping and logging every provider needs. */
export async function runGenerate(
  runtime: ProviderRuntime,
  call: CallOptions,
  generate: (providerCall: ProviderCall) => Promise<GenerateResult>,
): Promise<GenerateResult> {
  const { scope, providerCall, fail } = start(runtime, call);
  try {
    const result = await generate(providerCall);
    runtime.logger?.debug({ usage: result.usage, finishReason: result.finishReason, latencyMs: result.metrics.latencyMs }, 'model call finished');
    return result;
  } catch (thrown) {
    throw fail(thrown);
  } finally {
    scope.close();
  }
}

/**
 * Runs one streaming call. Errors surface as a thrown TroupeError from the iterator (never a
 * silent end), and a consumer that stops early aborts the HTTP request.
 */
export async function* runStream(
  runtime: ProviderRuntime,
  call: CallOptions,
  stream: (providerCall: ProviderCall) => AsyncIterable<StreamPart>,
): AsyncIterable<StreamPart> {
  const { scope, providerCall, fail } = start(runtime, call);
  let finished = false;
  try {
    for await (const part of stream(providerCall)) {
      if (part.type === 'finish') {
        finished = true;
        runtime.logger?.debug({ usage: part.usage, finishReason: part.finishReason, latencyMs: part.metrics.latencyMs }, 'model stream finished');
      }
      yield part;
    }
  } catch (thrown) {
    throw fail(thrown);
  } finally {
    if (!finished) scope.abort();
    scope.close();
  }
}
