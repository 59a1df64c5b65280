import type { LlamaContextSequence, SequenceEvaluateOptions, Token } from 'node-llama-cpp';

/** Running mean and minimum of the probabilities of the tokens a sequence sampled. */
export interface ConfidenceMeter {
  summary(): { mean: number; min: number } | undefined;
}

/**
 * Makes `sequence` record the probability of every token it samples.
 *
 * `LlamaChat` generates through `sequence.evaluate()`, which is `evaluateWithMetadata()` with no
 * metadata asked for, and it offers no option to ask. So this sequence's `evaluate` is replaced by
 * the same loop with `{ confidence: true }`: llama.cpp then returns the sampled token's probability
 * from the sampler it already ran (no full-vocabulary copy), so the cost is one float per token.
 * The sequence is private to one call (see sequence-generation.ts), so nothing else sees the change.
 */
export function recordConfidence(sequence: LlamaContextSequence): ConfidenceMeter {
  let count = 0;
  let sum = 0;
  let min = 1;
  const evaluate = async function* (tokens: Token[], options: SequenceEvaluateOptions = {}): AsyncGenerator<Token, void, void | Token | Token[]> {
    const iterator = sequence.evaluateWithMetadata(tokens, { confidence: true }, options);
    let replacement: void | Token | Token[] = undefined;
    try {
      while (true) {
        const { value, done } = await iterator.next(replacement);
        if (done) return;
        if (Number.isFinite(value.confidence)) {
          count += 1;
          sum += value.confidence;
          min = Math.min(min, value.confidence);
        }
        replacement = yield value.token;
      }
    } finally {
      await iterator.return(undefined);
    }
  };
  Object.defineProperty(sequence, 'evaluate', { value: evaluate, configurable: true });
  return { summary: () => (count === 0 ? undefined : { mean: sum / count, min }) };
}
