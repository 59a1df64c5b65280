import type { CallOptions, RepeatPenalty } from '@troupe/models';
import type { SubtaskRequest } from '@troupe/protocol';

/** Free-text skills, where a small model is prone to repeat itself. */
const PROSE_SKILLS: ReadonlySet<string> = new Set(['generate', 'summarize']);

/** What a retry gets after the judge's degeneration check failed the previous attempt. */
export const STRONG_REPEAT_PENALTY: RepeatPenalty = { penalty: 1.35, frequencyPenalty: 0.6, presencePenalty: 0.6, lastTokens: 128 };
/** What prose skills get on every attempt. */
export const PROSE_REPEAT_PENALTY: RepeatPenalty = { penalty: 1.15, frequencyPenalty: 0.2, presencePenalty: 0.2, lastTokens: 64 };

/**
 * Repetition penalties for one attempt. Prose skills always get a moderate one (llama.cpp's default
 * of 1.1 still let SmolLM2-135M write one sentence four times); a retry after the judge's
 * degeneration check failed gets a strong one, on any skill. Extraction otherwise keeps the default,
 * since a penalty there pushes the model away from copying the names it must copy.
 */
export function repeatPenaltyFor(request: Pick<SubtaskRequest, 'skill' | 'feedback'>): RepeatPenalty | undefined {
  if (request.feedback.some((reason) => reason.startsWith('degeneration:'))) return STRONG_REPEAT_PENALTY;
  if (PROSE_SKILLS.has(request.skill)) return PROSE_REPEAT_PENALTY;
  return undefined;
}

/** `call` with the attempt's repetition penalty, unless the caller chose one. */
export function withRepeatPenalty(call: CallOptions, request: Pick<SubtaskRequest, 'skill' | 'feedback'>): CallOptions {
  const repeatPenalty = call.repeatPenalty ?? repeatPenaltyFor(request);
  return repeatPenalty ? { ...call, repeatPenalty } : call;
}
