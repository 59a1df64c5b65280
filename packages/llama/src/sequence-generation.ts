import type { FinishReason, RepeatPenalty } from '@troupe/models';
import { LlamaChat, type ChatHistoryItem, type ChatWrapper, type LlamaChatResponse, type LlamaContext, type LlamaGrammar } from 'node-llama-cpp';
import { recordConfidence, type ConfidenceMeter } from './token-confidence.js';

export interface SequenceGenerationInput {
  context: LlamaContext;
  chatWrapper: ChatWrapper;
  history: ChatHistoryItem[];
  maxTokens: number;
  temperature?: number;
  grammar?: LlamaGrammar;
  /** Repetition penalties; unset leaves node-llama-cpp's (mild) default. */
  repeatPenalty?: RepeatPenalty;
  /** Its reason is thrown as is when it aborts (see call-signal.ts). */
  signal: AbortSignal;
  onTextDelta?: (delta: string) => void;
  onFirstToken?: () => void;
}

export interface SequenceGenerationOutput {
  text: string;
  /** Sampled tokens, read from the sequence's token meter: stop-trigger and end tokens included. */
  outputTokens: number;
  finishReason: FinishReason;
  /** Probabilities of the sampled tokens: mean and minimum, undefined when nothing was sampled. */
  confidence?: { mean: number; min: number };
}

/**
 * Runs one chat completion on a fresh sequence of `context` and disposes the sequence afterwards,
 * whatever happens. A fresh sequence per call means no KV-cache state survives a call, so a
 * thousand calls leave nothing behind, and an aborted call cannot leak tokens into the next one.
 * The caller must hold a slot: the context has exactly one sequence per slot.
 */
export async function generateOnSequence(input: SequenceGenerationInput): Promise<SequenceGenerationOutput> {
  const sequence = input.context.getSequence();
  // TROUPE_LLAMA_CONFIDENCE=false skips the per-token probability (for throughput comparisons).
  const meter: ConfidenceMeter | undefined = process.env.TROUPE_LLAMA_CONFIDENCE === 'false' ? undefined : recordConfidence(sequence);
  const chat = new LlamaChat({ contextSequence: sequence, chatWrapper: input.chatWrapper, autoDisposeSequence: false });
  let sawToken = false;
  try {
    const response = await chat.generateResponse(input.history, {
      maxTokens: input.maxTokens,
      // Greedy unless asked otherwise: workers are judged and retried, so reproducible output helps.
      temperature: input.temperature ?? 0,
      signal: input.signal,
      stopOnAbortSignal: false,
      ...(input.grammar ? { grammar: input.grammar } : {}),
      ...(input.repeatPenalty ? { repeatPenalty: input.repeatPenalty } : {}),
      onToken: () => {
        if (sawToken) return;
        sawToken = true;
        input.onFirstToken?.();
      },
      onTextChunk: (text) => {
        if (text !== '') input.onTextDelta?.(text);
      },
    });
    return {
      text: response.response,
      // Each sampled token needs exactly one logits evaluation, which the meter counts as output.
      outputTokens: sequence.tokenMeter.usedOutputTokens,
      finishReason: finishReasonOf(response.metadata.stopReason),
      ...(meter?.summary() ? { confidence: meter.summary()! } : {}),
    };
  } finally {
    chat.dispose();
    await sequence.dispose();
  }
}

function finishReasonOf(stopReason: LlamaChatResponse['metadata']['stopReason']): FinishReason {
  switch (stopReason) {
    case 'maxTokens':
      return 'length';
    case 'eogToken':
    case 'stopGenerationTrigger':
    case 'customStopTrigger':
      return 'stop';
    default:
      return 'other';
  }
}
