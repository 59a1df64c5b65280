import Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsBase } from '@anthropic-ai/sdk/resources/messages/messages';
import { ErrorCode, TroupeError, type TokenUsage } from '@troupe/protocol';
import type { CallOptions, LanguageModel, ModelConfig } from '@troupe/models';
import { resolveApiKey } from './api-key.js';
import { finishReasonOfAnthropic } from './finish-reason.js';
import { incompleteStreamError, malformedResponseError } from './provider-error.js';
import { runGenerate, runStream, type ProviderRuntime } from './provider-call.js';
import { DEFAULT_MAX_OUTPUT_TOKENS, type ProviderEnvironment, type ProviderOptions } from './provider-options.js';
import { createStructuredOutput } from './structured-output.js';

const DEFAULT_BASE_URL = 'https://api.anthropic.com';

interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

/**
 * Anthropic reports cache reads and cache writes beside `input_tokens`; the Troupe contract counts
 * every prompt token in `inputTokens` with the cache reads again in `cachedInputTokens`.
 */
function usageOf(usage: AnthropicUsage): TokenUsage {
  const cached = usage.cache_read_input_tokens ?? 0;
  return {
    inputTokens: (usage.input_tokens ?? 0) + cached + (usage.cache_creation_input_tokens ?? 0),
    outputTokens: usage.output_tokens ?? 0,
    cachedInputTokens: cached,
  };
}

/**
 * A LanguageModel over the Anthropic Messages API through the official `@anthropic-ai/sdk`.
 * System messages go to the top-level `system` field; structured output uses the documented
 * JSON output mode (`output_config.format: { type: 'json_schema', schema }`) and is re-validated.
 *
 * @example
 * const model = createAnthropicModel(ModelConfig.parse({ id: 'haiku', provider: 'anthropic', model: 'claude-haiku-4-5' }), process.env);
 * for await (const part of model.doStream({ messages: [{ role: 'user', content: 'Hi' }] })) if (part.type === 'text-delta') write(part.delta);
 */
export function createAnthropicModel(config: ModelConfig, env: ProviderEnvironment = process.env, options: ProviderOptions = {}): LanguageModel {
  if (config.provider !== 'anthropic') {
    throw new TroupeError(ErrorCode.CONFIG_INVALID, `model "${config.id}" has provider "${config.provider}", not anthropic`, { details: { modelId: config.id } });
  }
  const apiKey = resolveApiKey(config, env)!;
  const client = new Anthropic({
    apiKey,
    baseURL: config.baseUrl ?? DEFAULT_BASE_URL,
    maxRetries: 0,
    timeout: config.timeoutMs + 1_000,
    logLevel: 'off',
  });
  const runtime: ProviderRuntime = {
    provider: 'anthropic',
    modelId: config.id,
    secrets: [apiKey],
    timeoutMs: config.timeoutMs,
    logger: options.logger?.child({ provider: 'anthropic', modelId: config.id }),
  };
  const output = createStructuredOutput();
  const outputSource = { provider: 'anthropic', modelId: config.id };

  const requestOf = (call: CallOptions): MessageCreateParamsBase => {
    const system = call.messages.filter((message) => message.role === 'system').map((message) => message.content);
    return {
      model: config.model ?? config.id,
      max_tokens: call.maxOutputTokens ?? options.defaultMaxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS,
      ...(system.length > 0 ? { system: system.join('\n\n') } : {}),
      messages: call.messages
        .filter((message) => message.role !== 'system')
        .map((message) => ({ role: message.role as 'user' | 'assistant', content: message.content })),
      ...(call.temperature === undefined ? {} : { temperature: call.temperature }),
      ...(call.responseSchema ? { output_config: { format: { type: 'json_schema', schema: output.prepare(call.responseSchema) } } } : {}),
    };
  };

  return {
    specificationVersion: 'troupe.v1',
    provider: 'anthropic',
    modelId: config.id,
    doGenerate: (call) =>
      runGenerate(runtime, call, async ({ scope }) => {
        const message = await client.messages.create({ ...requestOf(call), stream: false }, { signal: scope.signal });
        if (!Array.isArray(message.content) || !message.usage) throw malformedResponseError('anthropic', config.id, 'no content or usage');
        const text = message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
        if (call.responseSchema) output.check(text, call.responseSchema, outputSource);
        const usage = usageOf(message.usage);
        return {
          text,
          usage,
          finishReason: finishReasonOfAnthropic(message.stop_reason),
          metrics: scope.metrics(usage.outputTokens),
          responseModel: message.model,
        };
      }),
    doStream: (call) =>
      runStream(runtime, call, async function* ({ scope }) {
        const stream = await client.messages.create({ ...requestOf(call), stream: true }, { signal: scope.signal });
        let text = '';
        let usage: AnthropicUsage = {};
        let stopReason: string | null | undefined;
        let stopped = false;
        let firstTokenAt: number | undefined;
        let responseModel: string | undefined;
        for await (const event of stream) {
          switch (event.type) {
            case 'message_start':
              usage = { ...event.message.usage };
              responseModel = event.message.model;
              break;
            case 'content_block_delta':
              if (event.delta.type === 'text_delta' && event.delta.text) {
                firstTokenAt ??= performance.now();
                text += event.delta.text;
                yield { type: 'text-delta', delta: event.delta.text };
              }
              break;
            case 'message_delta':
              stopReason = event.delta.stop_reason;
              // message_delta usage is cumulative; fields it leaves null keep message_start's value.
              for (const [key, value] of Object.entries(event.usage)) {
                if (typeof value === 'number') (usage as Record<string, number>)[key] = value;
              }
              break;
            case 'message_stop':
              stopped = true;
              break;
          }
        }
        if (!stopped || stopReason === undefined) throw incompleteStreamError('anthropic', config.id, 'message_stop');
        if (call.responseSchema) output.check(text, call.responseSchema, outputSource);
        const total = usageOf(usage);
        yield {
          type: 'finish',
          usage: total,
          finishReason: finishReasonOfAnthropic(stopReason),
          metrics: scope.metrics(total.outputTokens, firstTokenAt),
          ...(responseModel ? { responseModel } : {}),
        };
      }),
  };
}
