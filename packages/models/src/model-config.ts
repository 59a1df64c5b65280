import { z } from 'zod';

export const ModelProvider = z.enum(['llama-cpp', 'openai', 'openai-compatible', 'anthropic', 'gemini', 'echo', 'template', 'classifier', 'replay']);
export type ModelProvider = z.infer<typeof ModelProvider>;

export const Capability = z.enum(['chat', 'json', 'embedding', 'tools']);
export type Capability = z.infer<typeof Capability>;

/** USD per one million tokens. Local models default to 0 but may carry a hardware cost. */
export const Pricing = z.object({
  inputPerMTok: z.number().nonnegative().default(0),
  outputPerMTok: z.number().nonnegative().default(0),
  cachedInputPerMTok: z.number().nonnegative().optional(),
});
export type Pricing = z.infer<typeof Pricing>;

/** One model in the registry. Secrets never live here: `apiKeyEnv` names the variable that holds the key. */
export const ModelConfig = z
  .object({
    id: z.string().min(1).regex(/^[A-Za-z0-9_.:-]+$/),
    provider: ModelProvider,
    /** GGUF file: absolute, relative to the models directory, or an `hf:` URI for `troupe models pull`. */
    path: z.string().optional(),
    /** The provider's own model name (e.g. `gpt-4o-mini`). */
    model: z.string().optional(),
    baseUrl: z.string().url().optional(),
    apiKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).optional(),
    contextSize: z.number().int().min(64).default(4096),
    capabilities: z.array(Capability).default(['chat', 'json']),
    pricing: Pricing.default({ inputPerMTok: 0, outputPerMTok: 0 }),
    /** Calls in flight at once; default 1, except local models, where it equals `sequences`. */
    maxConcurrency: z.number().int().min(1).max(256).optional(),
    /** Local models: parallel sequences in the one context that shares the loaded weights; default from the machine. */
    sequences: z.number().int().min(1).max(64).optional(),
    /** Requests allowed to wait for a free slot before the worker answers BUSY. */
    maxQueue: z.number().int().min(0).max(10_000).default(16),
    /** Skills this model may serve; empty means any. */
    skills: z.array(z.string()).default([]),
    gpuLayers: z.union([z.literal('auto'), z.literal('max'), z.number().int().min(0)]).default('auto'),
    threads: z.number().int().min(1).optional(),
    timeoutMs: z.number().int().min(1).default(60_000),
    rateLimit: z
      .object({ requestsPerMinute: z.number().int().positive().optional(), tokensPerMinute: z.number().int().positive().optional() })
      .optional(),
    /** Models to try, in order, when this one fails with a retryable error or its breaker is open. */
    fallbacks: z.array(z.string()).default([]),
    /** For the `template` provider: keyword → canned answer (FAQ answers that need no LLM). */
    templates: z.record(z.string(), z.string()).optional(),
    /** For the `template` provider: answer from this FAQ collection (`troupe context ingest`) instead of keywords. */
    collection: z.string().regex(/^[A-Za-z0-9_-]+$/).optional(),
    /** For the `classifier` provider: which trained classifier answers, and on which embeddings. */
    classifier: z
      .object({
        /** Name of the classifier deployed in NATS KV (`troupe classifier deploy`); workers watch it for new versions. */
        name: z.string().regex(/^[A-Za-z0-9_-]+$/).optional(),
        /** A classifier artifact file (`troupe classifier train --out`), used when no `name` is deployed. */
        file: z.string().optional(),
        /** Registry id of the embedding model the classifier was trained on. */
        embeddingModel: z.string(),
        /** Dot path of the text in the task input (default: its first string). */
        textField: z.string().optional(),
        /** Output field for the label (default `label`). */
        outputField: z.string().optional(),
      })
      .optional(),
    /** Prior quality estimate in [0,1] used by the router before it has learned anything. */
    qualityPrior: z.number().min(0).max(1).optional(),
    /** `local-only` tasks may use only models with privacy `local`. */
    privacy: z.enum(['local', 'cloud']).optional(),
  })
  .transform((model) => ({
    ...model,
    privacy: model.privacy ?? (['llama-cpp', 'echo', 'template', 'classifier'].includes(model.provider) ? 'local' : 'cloud'),
  }));
export type ModelConfig = z.output<typeof ModelConfig>;
export type ModelConfigInput = z.input<typeof ModelConfig>;

export const RegistryConfig = z.object({
  models: z.array(ModelConfig).default([]),
  /** The frontier model used to report per-task savings. */
  referenceModel: z.string().optional(),
});
export type RegistryConfig = z.output<typeof RegistryConfig>;
export type RegistryConfigInput = z.input<typeof RegistryConfig>;
