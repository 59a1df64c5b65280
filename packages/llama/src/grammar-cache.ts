import { ErrorCode, TroupeError } from '@troupe/protocol';
import type { GbnfJsonSchema, Llama, LlamaGrammar } from 'node-llama-cpp';
import { toGrammarSchema } from './grammar-schema.js';

/** Grammars compiled per JSON Schema, so repeated calls with one output schema compile it once. */
export interface GrammarCache {
  /** @throws TroupeError UNSUPPORTED_SCHEMA when the schema cannot be enforced by a grammar. */
  get(schema: Record<string, unknown>): Promise<LlamaGrammar>;
}

/** A small LRU: workers use a handful of output schemas, and compiling one costs milliseconds. */
export function createGrammarCache(llama: Llama, capacity = 32): GrammarCache {
  const grammars = new Map<string, Promise<LlamaGrammar>>();
  return {
    get(schema) {
      const key = JSON.stringify(schema);
      const cached = grammars.get(key);
      if (cached) {
        grammars.delete(key);
        grammars.set(key, cached); // most recently used goes last
        return cached;
      }
      const compiled = compile(llama, schema);
      grammars.set(key, compiled);
      compiled.catch(() => grammars.delete(key));
      while (grammars.size > capacity) grammars.delete(grammars.keys().next().value as string);
      return compiled;
    },
  };
}

async function compile(llama: Llama, schema: Record<string, unknown>): Promise<LlamaGrammar> {
  const grammarSchema = toGrammarSchema(schema);
  try {
    // The schema is only known at run time, so its precise GbnfJsonSchema type cannot be inferred.
    return await llama.createGrammarForJsonSchema<GbnfJsonSchema>(grammarSchema as GbnfJsonSchema);
  } catch (error) {
    throw new TroupeError(ErrorCode.UNSUPPORTED_SCHEMA, `responseSchema cannot be turned into a grammar: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
