import type { CallOptions, GenerateResult, LanguageModel, StreamPart } from './language-model.js';
import { singleChunkStream } from './single-chunk-stream.js';

/**
 * An instant, free model: answers with the last user message, or with the smallest value that
 * satisfies the requested JSON Schema. Used by benchmarks (to measure the runtime alone) and tests.
 */
export function createEchoModel(options: { modelId?: string } = {}): LanguageModel {
  const modelId = options.modelId ?? 'echo';
  const generate = (call: CallOptions): GenerateResult => {
    const started = performance.now();
    const last = call.messages.at(-1)?.content ?? '';
    const text = call.responseSchema ? JSON.stringify(exampleOf(call.responseSchema, last)) : last;
    const inputTokens = call.messages.reduce((sum, message) => sum + approximateTokens(message.content), 0);
    return {
      text,
      usage: { inputTokens, outputTokens: approximateTokens(text), cachedInputTokens: 0 },
      finishReason: 'stop',
      metrics: { latencyMs: performance.now() - started, queueWaitMs: 0 },
    };
  };
  return {
    specificationVersion: 'troupe.v1',
    provider: 'echo',
    modelId,
    async doGenerate(call) {
      call.signal?.throwIfAborted();
      return generate(call);
    },
    async *doStream(call): AsyncIterable<StreamPart> {
      call.signal?.throwIfAborted();
      yield* singleChunkStream(generate(call));
    },
  };
}

function approximateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The smallest instance of a JSON Schema; strings echo `seed` so outputs stay traceable. */
export function exampleOf(schema: Record<string, unknown>, seed = ''): unknown {
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
      const required = new Set((schema.required as string[] | undefined) ?? Object.keys(properties));
      const value: Record<string, unknown> = {};
      for (const [key, property] of Object.entries(properties)) {
        if (required.has(key)) value[key] = exampleOf(property, seed);
      }
      return value;
    }
    case 'array': {
      const minItems = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const items = (schema.items ?? {}) as Record<string, unknown>;
      return Array.from({ length: minItems }, () => exampleOf(items, seed));
    }
    case 'string': {
      const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
      const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
      return seed.padEnd(minLength, '_').slice(0, maxLength);
    }
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 0;
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return seed;
  }
}
