import { GoogleGenAI, type GenerateContentParameters, type GenerateContentResponse } from '@google/genai';
import { ErrorCode, TroupeError, type TokenUsage } from '@troupe/protocol';
import type { CallOptions, FinishReason, LanguageModel, ModelConfig } from '@troupe/models';
import { resolveApiKey } from './api-key.js';
import { finishReasonOfGemini } from './finish-reason.js';
import { incompleteStreamError, malformedResponseError } from './provider-error.js';
import { runGenerate, runStream, type ProviderCall, type ProviderRuntime } from './provider-call.js';
import { DEFAULT_MAX_OUTPUT_TOKENS, type ProviderEnvironment, type ProviderOptions } from './provider-options.js';
import { createStructuredOutput } from './structured-output.js';

const DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';

type UsageMetadata = NonNullable<GenerateContentResponse['usageMetadata']>;

/** Gemini counts cached tokens inside `promptTokenCount`; thinking tokens are billed as output. */
function usageOf(metadata: UsageMetadata): TokenUsage {
  return {
    inputTokens: metadata.promptTokenCount ?? 0,
    outputTokens: (metadata.candidatesTokenCount ?? 0) + (metadata.thoughtsTokenCount ?? 0),
    cachedInputTokens: metadata.cachedContentTokenCount ?? 0,
  };
}

/** The visible text of the first candidate (thought summaries excluded), without the SDK's warning getter. */
function textOf(response: GenerateContentResponse): string {
  const parts = response.candidates?.[0]?.content?.parts ?? [];
  return parts.map((part) => (typeof part.text === 'string' && !part.thought ? part.text : '')).join('');
}

function finishOf(response: GenerateContentResponse): FinishReason | undefined {
  const reason = response.candidates?.[0]?.finishReason;
  if (reason) return finishReasonOfGemini(reason);
  // A blocked prompt has no candidate at all, only promptFeedback.
  return response.promptFeedback?.blockReason ? 'content-filter' : undefined;
}

/**
 * A LanguageModel over the Gemini API (`generateContent`, `streamGenerateContent?alt=sse`) through
 * the official `@google/genai` SDK. Structured output uses `responseMimeType: 'application/json'`
 * with `responseJsonSchema` (plain JSON Schema) and is re-validated on arrival.
 *
 * @example
 * const model = createGeminiModel(ModelConfig.parse({ id: 'flash', provider: 'gemini', model: 'gemini-2.5-flash' }), process.env);
 * const { text } = await model.doGenerate({ messages: [{ role: 'user', content: 'Hi' }], responseSchema: { type: 'object' } });
 */
export function createGeminiModel(config: ModelConfig, env: ProviderEnvironment = process.env, options: ProviderOptions = {}): LanguageModel {
  if (config.provider !== 'gemini') {
    throw new TroupeError(ErrorCode.CONFIG_INVALID, `model "${config.id}" has provider "${config.provider}", not gemini`, { details: { modelId: config.id } });
  }
  const apiKey = resolveApiKey(config, env)!;
  // No `retryOptions`: the SDK then makes exactly one attempt per call.
  const client = new GoogleGenAI({ apiKey, vertexai: false, apiVersion: 'v1beta', httpOptions: { baseUrl: config.baseUrl ?? DEFAULT_BASE_URL } });
  const runtime: ProviderRuntime = {
    provider: 'gemini',
    modelId: config.id,
    secrets: [apiKey],
    timeoutMs: config.timeoutMs,
    logger: options.logger?.child({ provider: 'gemini', modelId: config.id }),
  };
  const output = createStructuredOutput();
  const outputSource = { provider: 'gemini', modelId: config.id };

  const requestOf = (call: CallOptions, { scope, captureHeaders }: ProviderCall): GenerateContentParameters => {
    const system = call.messages.filter((message) => message.role === 'system').map((message) => message.content);
    // Gemini's ApiError keeps only the body; this keeps a failed response's headers (retry-after).
    const capturingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!response.ok) captureHeaders(response.headers);
      return response;
    };
    return {
      model: config.model ?? config.id,
      contents: call.messages
        .filter((message) => message.role !== 'system')
        .map((message) => ({ role: message.role === 'assistant' ? 'model' : 'user', parts: [{ text: message.content }] })),
      config: {
        abortSignal: scope.signal,
        httpOptions: { fetch: capturingFetch },
        // Otherwise the SDK silently re-sends the request when a stream drops: one retry policy only.
        automaticContinuation: false,
        maxOutputTokens: call.maxOutputTokens ?? options.defaultMaxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS,
        ...(system.length > 0 ? { systemInstruction: system.join('\n\n') } : {}),
        ...(call.temperature === undefined ? {} : { temperature: call.temperature }),
        ...(call.responseSchema ? { responseMimeType: 'application/json', responseJsonSchema: output.prepare(call.responseSchema) } : {}),
      },
    };
  };

  return {
    specificationVersion: 'troupe.v1',
    provider: 'gemini',
    modelId: config.id,
    doGenerate: (call) =>
      runGenerate(runtime, call, async (providerCall) => {
        const response = await client.models.generateContent(requestOf(call, providerCall));
        if (!response.usageMetadata) throw malformedResponseError('gemini', config.id, 'no usageMetadata');
        const finishReason = finishOf(response);
        if (finishReason === undefined) throw malformedResponseError('gemini', config.id, 'no candidate');
        const text = textOf(response);
        if (call.responseSchema) output.check(text, call.responseSchema, outputSource);
        const usage = usageOf(response.usageMetadata);
        return {
          text,
          usage,
          finishReason,
          metrics: providerCall.scope.metrics(usage.outputTokens),
          ...(response.modelVersion ? { responseModel: response.modelVersion } : {}),
        };
      }),
    doStream: (call) =>
      runStream(runtime, call, async function* (providerCall) {
        const stream = await client.models.generateContentStream(requestOf(call, providerCall));
        let text = '';
        let finishReason: FinishReason | undefined;
        let metadata: UsageMetadata | undefined;
        let firstTokenAt: number | undefined;
        let responseModel: string | undefined;
        for await (const chunk of stream) {
          responseModel ??= chunk.modelVersion;
          const delta = textOf(chunk);
          if (delta) {
            firstTokenAt ??= performance.now();
            text += delta;
            yield { type: 'text-delta', delta };
          }
          finishReason = finishOf(chunk) ?? finishReason;
          // Each chunk's usageMetadata is the running total; the last one is exact.
          if (chunk.usageMetadata) metadata = chunk.usageMetadata;
        }
        if (finishReason === undefined) throw incompleteStreamError('gemini', config.id, 'its finishReason');
        if (metadata === undefined) throw incompleteStreamError('gemini', config.id, 'its usageMetadata');
        if (call.responseSchema) output.check(text, call.responseSchema, outputSource);
        const usage = usageOf(metadata);
        yield {
          type: 'finish',
          usage,
          finishReason,
          metrics: providerCall.scope.metrics(usage.outputTokens, firstTokenAt),
          ...(responseModel ? { responseModel } : {}),
        };
      }),
  };
}
