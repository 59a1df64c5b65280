import type { CallOptions, GenerateResult, LanguageModel } from '@troupe/models';
import { runToolLoop, type Tool, type ToolCallRecord } from './tool-loop.js';

export interface WithToolsOptions {
  maxSteps?: number;
  onToolCall?: (call: ToolCallRecord) => void;
}

/**
 * Wraps a model so that every call runs the tool loop with `tools`: callers that know nothing of
 * tools (the worker's subtask runner; budget and fallback wrappers underneath) keep working, and
 * the usage they see — hence the cost charged — covers every model call of the loop. The call's
 * `responseSchema` becomes the schema of the loop's final answer. Streaming runs the loop, then
 * emits the answer as one delta.
 *
 * @example
 * const model = withTools(catalogModel, [orderLookupTool], { maxSteps: 4 });
 * const { text } = await model.doGenerate({ messages });
 */
export function withTools(model: LanguageModel, tools: readonly Tool[], options: WithToolsOptions = {}): LanguageModel {
  if (!tools.length) return model;
  // A model that already runs the loop (code-skill tools, then MCP tools on the same skill) gets the
  // new tools in that same loop: one loop, one step limit, never a loop inside a loop.
  const looped = (model as Partial<Looped>)[LOOP];
  if (looped) return withTools(looped.model, [...looped.tools, ...tools], mergeOptions(looped.options, options));
  const generate = async (call: CallOptions): Promise<GenerateResult> => {
    const result = await runToolLoop({
      model,
      tools,
      messages: call.messages,
      ...(call.responseSchema ? { outputSchema: call.responseSchema } : {}),
      ...(call.maxOutputTokens !== undefined ? { maxOutputTokens: call.maxOutputTokens } : {}),
      ...(call.temperature !== undefined ? { temperature: call.temperature } : {}),
      ...(call.signal ? { signal: call.signal } : {}),
      ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
      ...(options.onToolCall ? { onToolCall: options.onToolCall } : {}),
    });
    const text = typeof result.output === 'string' && !call.responseSchema ? result.output : JSON.stringify(result.output ?? null);
    return {
      text,
      usage: result.usage,
      finishReason: 'stop',
      metrics: { latencyMs: result.latencyMs, queueWaitMs: result.queueWaitMs },
      ...(result.servedBy ? { servedBy: result.servedBy } : {}),
      // The calls travel with the answer, so the worker puts them on the node result (and the judge reads them).
      ...(result.toolCalls.length ? { toolCalls: result.toolCalls } : {}),
    };
  };
  const wrapped: LanguageModel & Looped = {
    [LOOP]: { model, tools, options },
    specificationVersion: 'troupe.v1',
    provider: model.provider,
    modelId: model.modelId,
    doGenerate: generate,
    doStream: async function* (call) {
      const result = await generate(call);
      if (result.text) yield { type: 'text-delta', delta: result.text };
      yield {
        type: 'finish',
        usage: result.usage,
        finishReason: result.finishReason,
        metrics: result.metrics,
        ...(result.servedBy ? { servedBy: result.servedBy } : {}),
      };
    },
  };
  return wrapped;
}

const LOOP = Symbol('troupe.tool-loop');

interface Looped {
  readonly [LOOP]: { model: LanguageModel; tools: readonly Tool[]; options: WithToolsOptions };
}

function mergeOptions(first: WithToolsOptions, second: WithToolsOptions): WithToolsOptions {
  const maxSteps =
    first.maxSteps === undefined ? second.maxSteps : second.maxSteps === undefined ? first.maxSteps : Math.max(first.maxSteps, second.maxSteps);
  const callbacks = [first.onToolCall, second.onToolCall].filter((callback) => callback !== undefined);
  return {
    ...(maxSteps !== undefined ? { maxSteps } : {}),
    ...(callbacks.length ? { onToolCall: (call: ToolCallRecord) => callbacks.forEach((callback) => callback(call)) } : {}),
  };
}
