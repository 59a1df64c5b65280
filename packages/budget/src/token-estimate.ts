import type { CallOptions } from '@troupe/models';

const PER_MESSAGE_OVERHEAD = 8;
const PER_CALL_OVERHEAD = 16;
/** Providers add hidden prompt text for JSON-schema modes (Anthropic documents a system prompt for it). */
const SCHEMA_OVERHEAD = 512;

/**
 * An upper bound on a call's prompt tokens without a tokenizer: byte-level BPE tokenizers
 * (GPT, Claude, Llama, Gemini's byte fallback) never make more tokens than UTF-8 bytes, plus the
 * chat template's per-message tokens. Over-reserving is safe; under-reserving could overspend.
 */
export function estimateInputTokensUpperBound(call: Pick<CallOptions, 'messages' | 'responseSchema'>): number {
  const encoder = new TextEncoder();
  let tokens = PER_CALL_OVERHEAD;
  for (const message of call.messages) tokens += encoder.encode(message.content).length + PER_MESSAGE_OVERHEAD;
  if (call.responseSchema) tokens += encoder.encode(JSON.stringify(call.responseSchema)).length + SCHEMA_OVERHEAD;
  return tokens;
}
