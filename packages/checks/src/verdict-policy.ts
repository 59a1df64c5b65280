import type { CheckResult, VerdictDecision } from '@troupe/protocol';

/** Checks whose failure means the output must not be used as it is: wrong shape, leaked data, broken policy. */
export const HARD_CHECKS: readonly string[] = ['schema', 'pii', 'policy'];

/** Where the node stands when its checks come back. */
export interface VerdictContext {
  /** This attempt, counting from 1. */
  attempt: number;
  maxAttempts: number;
  /** Whether a stronger model than the one that produced the output can take the node. */
  canReroute: boolean;
  /** Whether a person can review what the runtime cannot decide. */
  humanReview?: boolean;
  /** Names of the hard checks; {@link HARD_CHECKS} by default. */
  hardChecks?: readonly string[];
}

/** The decision with its reasons; `score` is absent when no check could score the output. */
export interface VerdictOutcome {
  decision: VerdictDecision;
  reasons: string[];
  score?: number;
}

/** Whether a check could not decide: it did not pass and says "unsure:". An unsure check never passes. */
export function isUnsure(result: CheckResult): boolean {
  return !result.passed && (result.detail?.startsWith('unsure:') ?? false);
}

/**
 * Turns check results into the planner's next step:
 *
 * | checks                              | decision                                                              |
 * | ----------------------------------- | --------------------------------------------------------------------- |
 * | all passed (at least one check)     | pass                                                                  |
 * | any failed (hard or soft)           | retry while attempts remain, then reroute if a stronger model exists, then escalate if humanReview, else fail |
 * | none failed, some unsure (or none ran) | reroute if a stronger model exists, else escalate if humanReview, else fail; never pass, never retry |
 *
 * A failure outweighs any number of unsure checks. A hard failure (schema, pii, policy) scores
 * the verdict 0, since the output is unusable however good it reads; otherwise the score is the
 * mean of the checks that scored. Hard failures are listed first in the reasons.
 *
 * @example
 * const outcome = decideVerdict(results, { attempt: 1, maxAttempts: 3, canReroute: true });
 * // { decision: 'retry', reasons: ['pii: found 1 (email): …', 'attempt 1 of 3 failed: retrying'], score: 0 }
 */
export function decideVerdict(checks: readonly CheckResult[], context: VerdictContext): VerdictOutcome {
  const hard = new Set(context.hardChecks ?? HARD_CHECKS);
  const unsure = checks.filter(isUnsure);
  const failed = checks.filter((check) => !check.passed && !isUnsure(check));
  const hardFailed = failed.filter((check) => hard.has(check.name));
  const softFailed = failed.filter((check) => !hard.has(check.name));
  const scored = checks.filter((check) => check.score !== undefined && !isUnsure(check));
  const mean = scored.length === 0 ? undefined : scored.reduce((sum, check) => sum + (check.score ?? 0), 0) / scored.length;
  const score = hardFailed.length > 0 ? 0 : mean;
  const withScore = (decision: VerdictDecision, reasons: string[]): VerdictOutcome =>
    score === undefined ? { decision, reasons } : { decision, reasons, score };

  if (failed.length > 0) {
    const reasons = [...hardFailed, ...softFailed, ...unsure].map(describe);
    if (context.attempt < context.maxAttempts) {
      return withScore('retry', [...reasons, `attempt ${context.attempt} of ${context.maxAttempts} failed: retrying`]);
    }
    const exhausted = `attempt ${context.attempt} of ${context.maxAttempts} failed, none left`;
    return withScore(...fallback(exhausted, context, reasons));
  }
  if (unsure.length > 0 || checks.length === 0) {
    // Retrying asks the same model again; it is the judging, not the output, that is in doubt.
    const why = checks.length === 0 ? 'no checks ran, so nothing vouches for the output' : 'the checks could not decide';
    return withScore(...fallback(why, context, unsure.map(describe)));
  }
  return withScore('pass', []);
}

function fallback(why: string, context: VerdictContext, reasons: string[]): [VerdictDecision, string[]] {
  if (context.canReroute) return ['reroute', [...reasons, `${why}: rerouting to a stronger model`]];
  if (context.humanReview) return ['escalate', [...reasons, `${why}: escalating to human review`]];
  return ['fail', [...reasons, `${why}: no stronger model and no human review`]];
}

function describe(check: CheckResult): string {
  return `${check.name}: ${check.detail ?? (check.passed ? 'passed' : 'failed')}`;
}
