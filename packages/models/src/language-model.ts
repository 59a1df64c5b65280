import type { TokenUsage, ToolCallRecord } from '@troupe/protocol';

/**
 * The provider contract, shaped like the Vercel AI SDK's provider spec: small, versioned, and the
 * same for a local GGUF model and a frontier API. Providers export a factory that returns one.
 */
export interface LanguageModel {
  readonly specificationVersion: 'troupe.v1';
  /** e.g. `llama-cpp`, `openai`, `anthropic`, `gemini`, `echo`. */
  readonly provider: string;
  /** The registry id of the model. */
  readonly modelId: string;
  doGenerate(options: CallOptions): Promise<GenerateResult>;
  /** Streams deltas; the last part is always `finish` (with exact usage) or `error`. */
  doStream(options: CallOptions): AsyncIterable<StreamPart>;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface CallOptions {
  messages: ChatMessage[];
  /** JSON Schema the output must follow (grammar locally, JSON-schema mode on frontier APIs). */
  responseSchema?: Record<string, unknown>;
  maxOutputTokens?: number;
  temperature?: number;
  /**
   * Sampling penalties against repetition (local models; frontier providers may ignore them).
   * `penalty` > 1 lowers the odds of recently used tokens; a retry after a degenerate answer raises them.
   */
  repeatPenalty?: RepeatPenalty;
  /** Aborting frees the sequence or closes the HTTP request; the call rejects with CANCELLED. */
  signal?: AbortSignal;
}

/** Repetition penalties, as llama.cpp applies them over the last `lastTokens` generated tokens. */
export interface RepeatPenalty {
  /** Multiplicative penalty; 1 disables it. */
  penalty?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
  lastTokens?: number;
}

export type FinishReason = 'stop' | 'length' | 'content-filter' | 'error' | 'other';

export interface GenerationMetrics {
  latencyMs: number;
  /** Time spent waiting for a free sequence / rate-limit slot before the call started. */
  queueWaitMs: number;
  timeToFirstTokenMs?: number;
  tokensPerSecond?: number;
  /** Mean probability the model gave the tokens it generated (local models only), in [0, 1]. */
  confidenceMean?: number;
  /** Lowest probability of any generated token: one unsure token in an otherwise confident answer. */
  confidenceMin?: number;
}

export interface GenerateResult {
  text: string;
  usage: TokenUsage;
  finishReason: FinishReason;
  metrics: GenerationMetrics;
  /** Provider-reported model name (e.g. the dated snapshot an alias resolved to). */
  responseModel?: string;
  /** Registry id of the model that actually answered, when a fallback chain served the call. */
  servedBy?: string;
  /** The model's own confidence in the whole answer (0..1), when it has one (e.g. a classifier's top probability). */
  confidence?: number;
  /** Small facts about the answer a judge gate may read (label, coverage, version). */
  metadata?: Record<string, string | number | boolean>;
  /** Tools the model called on the way to this answer (a tool loop ran inside the call), in order. */
  toolCalls?: ToolCallRecord[];
}

/** Stream parts as a discriminated union on `type`. */
export type StreamPart =
  | { type: 'text-delta'; delta: string }
  | { type: 'finish'; usage: TokenUsage; finishReason: FinishReason; metrics: GenerationMetrics; responseModel?: string; servedBy?: string };

export interface EmbeddingModel {
  readonly specificationVersion: 'troupe.v1';
  readonly provider: string;
  readonly modelId: string;
  readonly dimensions: number;
  doEmbed(texts: string[], options?: { signal?: AbortSignal }): Promise<{ embeddings: number[][]; usage: { inputTokens: number } }>;
}
