/**
 * Rough token count of a text: ceil(chars / 4). It is what the routing data itself used to price
 * RouteLLM rows, and it is good enough to check context windows and price registry models
 * without loading a tokenizer on the hot path.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Log2 bucket of a token count (0, 1, 2-3, 4-7, ...), capped so rare huge prompts share a bucket. */
export function tokenBucket(tokens: number, maxBucket = 15): number {
  return Math.min(maxBucket, Math.floor(Math.log2(1 + Math.max(0, tokens))));
}
