import OpenAI from 'openai';
import type { ChatCompletionCreateParamsBase } from 'openai/resources/chat/completions';
import { ErrorCode, TroupeError, type TokenUsage } from '@troupe/protocol';
import type { CallOptions, LanguageModel, ModelConfig } from '@troupe/models';
import { resolveApiKey } from './api-key.js';
import { finishReasonOfOpenAI } from './finish-reason.js';
import { malformedResponseError, incompleteStreamError } from './provider-error.js';
import { runGenerate, runStream, type ProviderRuntime } from './provider-call.js';
import { DEFAULT_MAX_OUTPUT_TOKENS, type ProviderEnvironment, type ProviderOptions } from './provider-options.js';
import { createStructuredOutput, isStrictCompatible } from './structured-output.js';

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
}

function usageOf(usage: OpenAIUsage): TokenUsage {
  return {
    inputTokens: usage.prompt_tokens,
    outputTokens: usage.completion_tokens,
    cachedInputTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
  };
}

/**
 * A LanguageModel over OpenAI Chat Completions through the official `openai` SDK. The same wire
 * format serves `openai-compatible` servers (OpenRouter, Groq, vLLM, Ollama, llama.cpp): point
 * `baseUrl` at them. The SDK's own retries are off (`maxRetries: 0`): retry policy belongs to
 * `@troupe/resilience`.
 *
 * @example
 * const model = createOpenAIModel(ModelConfig.parse({ id: 'mini', provider: 'openai', model: 'gpt-4o-mini' }), process.env);
 * const { text, usage } = await model.doGenerate({ messages: [{ role: 'user', content: 'Hi' }] });
 */
export function createOpenAIModel(config: ModelConfig, env: ProviderEnvironment = process.env, options: ProviderOptions = {}): LanguageModel {
  if (config.provider !== 'openai' && config.provider !== 'openai-compatible') {
    throw new TroupeError(ErrorCode.CONFIG_INVALID, `model "${config.id}" has provider "${config.provider}", not openai`, { details: { modelId: config.id } });
  }
  const apiKey = resolveApiKey(config, env);
  const client = new OpenAI({
    // Keyless local servers: the SDK insists on a value, the server ignores it.
    apiKey: apiKey ?? 'no-key',
    baseURL: config.baseUrl ?? DEFAULT_BASE_URL,
    // Explicit nulls keep the SDK from reading OPENAI_ORG_ID / OPENAI_PROJECT_ID from the process.
    organization: null,
    project: null,
    maxRetries: 0,
    // Our own deadline (CallScope) fires first, so timeouts are classified the same way everywhere.
    timeout: config.timeoutMs + 1_000,
    logLevel: 'off',
  });
  const runtime: ProviderRuntime = {
    provider: config.provider,
    modelId: config.id,
    secrets: apiKey ? [apiKey] : [],
    timeoutMs: config.timeoutMs,
    logger: options.logger?.child({ provider: config.provider, modelId: config.id }),
  };
  const output = createStructuredOutput();
  const outputSource = { provider: config.provider, modelId: config.id };
  const providerModel = config.model ?? config.id;

  const requestOf = (call: CallOptions): ChatCompletionCreateParamsBase => ({
    model: providerModel,
    messages: call.messages.map((message) => ({ role: message.role, content: message.content })),
    // OpenAI deprecated `max_tokens` (reasoning models reject it); compatible servers still read only it.
    [config.provider === 'openai' ? 'max_completion_tokens' : 'max_tokens']: call.maxOutputTokens ?? options.defaultMaxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS,
    ...(call.temperature === undefined ? {} : { temperature: call.temperature }),
    ...(call.responseSchema
      ? {
          response_format: {
            type: 'json_schema',
            json_schema: {
              name: schemaName(call.responseSchema),
              schema: output.prepare(call.responseSchema),
              strict: isStrictCompatible(call.responseSchema),
            },
          },
        }
      : {}),
  });

  return {
    specificationVersion: 'troupe.v1',
    provider: config.provider,
    modelId: config.id,
    doGenerate: (call) =>
      runGenerate(runtime, call, async ({ scope }) => {
        const completion = await client.chat.completions.create({ ...requestOf(call), stream: false }, { signal: scope.signal });
        const choice = completion.choices?.[0];
        if (!choice) throw malformedResponseError(config.provider, config.id, 'no choices');
        if (!completion.usage) throw malformedResponseError(config.provider, config.id, 'no usage');
        const text = choice.message.content ?? '';
        if (call.responseSchema) output.check(text, call.responseSchema, outputSource);
        const usage = usageOf(completion.usage);
        return {
          text,
          usage,
          finishReason: choice.message.refusal ? 'content-filter' : finishReasonOfOpenAI(choice.finish_reason),
          metrics: scope.metrics(usage.outputTokens),
          responseModel: completion.model,
        };
      }),
    doStream: (call) =>
      runStream(runtime, call, async function* ({ scope }) {
        const stream = await client.chat.completions.create(
          { ...requestOf(call), stream: true, stream_options: { include_usage: true } },
          { signal: scope.signal },
        );
        let text = '';
        let finish: string | undefined;
        let usage: TokenUsage | undefined;
        let firstTokenAt: number | undefined;
        let responseModel: string | undefined;
        for await (const chunk of stream) {
          responseModel ??= chunk.model;
          const choice = chunk.choices[0];
          const delta = choice?.delta?.content;
          if (delta) {
            firstTokenAt ??= performance.now();
            text += delta;
            yield { type: 'text-delta', delta };
          }
          if (choice?.finish_reason) finish = choice.finish_reason;
          // With include_usage, the last chunk before [DONE] has empty choices and the usage.
          if (chunk.usage) usage = usageOf(chunk.usage);
        }
        if (finish === undefined) throw incompleteStreamError(config.provider, config.id, 'its finish_reason');
        if (usage === undefined) throw incompleteStreamError(config.provider, config.id, 'its usage chunk');
        if (call.responseSchema) output.check(text, call.responseSchema, outputSource);
        yield {
          type: 'finish',
          usage,
          finishReason: finishReasonOfOpenAI(finish),
          metrics: scope.metrics(usage.outputTokens, firstTokenAt),
          ...(responseModel ? { responseModel } : {}),
        };
      }),
  };
}

/** `json_schema.name` must match ^[a-zA-Z0-9_-]{1,64}$; the schema's title is used when it fits. */
function schemaName(schema: Record<string, unknown>): string {
  const title = typeof schema.title === 'string' ? schema.title.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64) : '';
  return title || 'output';
}
