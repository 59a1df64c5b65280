import type { CheckResult } from '@troupe/protocol';
import type { LanguageModel } from '@troupe/models';
import type { Check, CheckInput } from './check.js';
import { parseRubricJudgement, RUBRIC_RESPONSE_SCHEMA, rubricMessages, type RubricJudgement } from './rubric-prompt.js';

/** How the rubric check is configured. */
export interface LlmRubricCheckOptions {
  /** Judges in the order they are asked, cheapest first: `[local, frontier]`. At least one. */
  models: readonly LanguageModel[];
  /** What a good output does, in plain words. */
  rubric: string;
  /** Least score that passes; 0.7 by default. */
  threshold?: number;
  /**
   * A score closer than this to the threshold is borderline: the judge is treated as unsure and
   * the next model is asked. 0.1 by default; 0 trusts every score.
   */
  uncertainBand?: number;
  /** Per model call; a judge that takes longer is unsure. 30 s by default. */
  timeoutMs?: number;
  maxOutputTokens?: number;
  /** Characters of rubric input (output, context, instructions) sent to the judge; 12,000 by default. */
  maxInputChars?: number;
  /** Check name in results; `rubric` by default. */
  name?: string;
}

/** What one judge model said, or why it could not be used. */
type JudgeAttempt = { model: string; judgement: RubricJudgement } | { model: string; unsure: string };

/**
 * LLM-as-judge against a rubric. Each model is asked for `{reasons, score, pass}` as JSON through
 * `responseSchema`; the reply is validated. A model that errors, times out, answers malformed or
 * self-contradicting JSON, or scores within `uncertainBand` of the threshold is unsure, and the next
 * model in `models` is asked: the check escalates itself when unsure. When every model is unsure
 * the check is unsure (never a pass). The detail says which model judged.
 *
 * @example
 * const rubric = createLlmRubricCheck({
 *   models: [localModel, frontierModel],
 *   rubric: 'The summary is faithful to the context and under 100 words.',
 *   threshold: 0.7,
 *   uncertainBand: 0.1,
 * });
 * const result = await rubric.run({ skill: 'summarise', context, output }, { signal });
 * // result.detail: 'judged by llama-cpp/smollm2-360m: score 0.9 ≥ 0.7; reasons: …'
 */
export function createLlmRubricCheck(options: LlmRubricCheckOptions): Check {
  if (options.models.length === 0) throw new RangeError('createLlmRubricCheck needs at least one model');
  const name = options.name ?? 'rubric';
  const threshold = options.threshold ?? 0.7;
  const band = options.uncertainBand ?? 0.1;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxInputChars = options.maxInputChars ?? 12_000;

  const ask = async (model: LanguageModel, input: CheckInput, signal: AbortSignal | undefined): Promise<JudgeAttempt> => {
    const label = `${model.provider}/${model.modelId}`;
    const timeout = AbortSignal.timeout(timeoutMs);
    const callSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let text: string;
    try {
      const result = await untilAborted(
        model.doGenerate({
          messages: rubricMessages(options.rubric, input, threshold, maxInputChars),
          responseSchema: RUBRIC_RESPONSE_SCHEMA,
          maxOutputTokens: options.maxOutputTokens ?? 400,
          temperature: 0,
          signal: callSignal,
        }),
        callSignal,
      );
      text = result.text;
    } catch (error) {
      // The caller cancelling is not the judge being unsure: let the cancellation through.
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) return { model: label, unsure: `timed out after ${timeoutMs} ms` };
      return { model: label, unsure: `failed: ${error instanceof Error ? error.message : String(error)}` };
    }
    const parsed = parseRubricJudgement(text);
    if ('problem' in parsed) return { model: label, unsure: parsed.problem };
    const { judgement } = parsed;
    if (judgement.pass !== judgement.score >= threshold) {
      return { model: label, unsure: `contradicts itself: score ${judgement.score} but pass ${judgement.pass}` };
    }
    if (Math.abs(judgement.score - threshold) < band) {
      return { model: label, unsure: `borderline score ${judgement.score} (threshold ${threshold} ± ${band})` };
    }
    return { model: label, judgement };
  };

  return {
    name,
    async run(input: CheckInput, runOptions: { signal?: AbortSignal } = {}): Promise<CheckResult> {
      const unsure: { model: string; unsure: string }[] = [];
      for (const model of options.models) {
        runOptions.signal?.throwIfAborted();
        const attempt = await ask(model, input, runOptions.signal);
        if ('unsure' in attempt) {
          unsure.push(attempt);
          continue;
        }
        const { score, reasons } = attempt.judgement;
        const passed = score >= threshold;
        const verdict = `judged by ${attempt.model}: score ${score} ${passed ? '≥' : '<'} ${threshold}`;
        const because = reasons.length > 0 ? `; reasons: ${reasons.map((reason) => clip(reason, 200)).join('; ')}` : '';
        return { name, passed, score, detail: `${verdict}${because}${describeEscalation(unsure)}` };
      }
      const tried = unsure.map((attempt) => `${attempt.model} ${attempt.unsure}`).join('; ');
      return { name, passed: false, detail: `unsure: no judge was sure: ${tried}` };
    },
  };
}

function describeEscalation(unsure: readonly { model: string; unsure: string }[]): string {
  if (unsure.length === 0) return '';
  return ` (escalated: ${unsure.map((attempt) => `${attempt.model} ${attempt.unsure}`).join('; ')})`;
}

function clip(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length)}…`;
}

/**
 * Settles with the promise, or rejects as soon as the signal aborts: a provider that ignores its
 * signal must not keep the judge waiting past its timeout.
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
