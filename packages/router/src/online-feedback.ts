import type { Verdict } from '@troupe/protocol';

/**
 * The training target a judge verdict gives the router: the judge's score when it has one,
 * otherwise 1 for a pass and 0 for anything that sent the node back (retry, reroute, escalate, fail).
 *
 * @example
 * router.update({ prompt, task: node.skill, model: result.model, score: scoreFromVerdict(verdict), costUsd: result.costUsd });
 */
export function scoreFromVerdict(verdict: Pick<Verdict, 'decision' | 'score'>): number {
  if (verdict.score !== undefined) return verdict.score;
  return verdict.decision === 'pass' ? 1 : 0;
}
