import type { FinishReason } from '@troupe/models';

/** OpenAI `finish_reason`. */
export function finishReasonOfOpenAI(reason: string | null | undefined): FinishReason {
  if (reason === 'stop') return 'stop';
  if (reason === 'length') return 'length';
  if (reason === 'content_filter') return 'content-filter';
  return 'other';
}

/** Anthropic `stop_reason`. */
export function finishReasonOfAnthropic(reason: string | null | undefined): FinishReason {
  if (reason === 'end_turn' || reason === 'stop_sequence') return 'stop';
  if (reason === 'max_tokens' || reason === 'model_context_window_exceeded') return 'length';
  if (reason === 'refusal') return 'content-filter';
  return 'other';
}

/** Gemini `finishReason`. */
export function finishReasonOfGemini(reason: string | null | undefined): FinishReason {
  if (reason === 'STOP') return 'stop';
  if (reason === 'MAX_TOKENS') return 'length';
  if (reason && ['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY'].includes(reason)) return 'content-filter';
  return 'other';
}
