import type { Capability } from '@troupe/models';
import type { PipelineNode, Verdict, WorkerResult } from '@troupe/protocol';
import type { PlannedTask } from '@troupe/planner';
import { scoreFromVerdict, type ModelHealth, type Router } from '@troupe/router';
import type { ChooseModelInput } from './planner-host.js';

export interface VerdictFeedback {
  task: PlannedTask;
  node: PipelineNode;
  input: unknown;
  result: WorkerResult;
  verdict: Verdict;
}

export interface RouterPolicyOptions {
  /** Live model health (breakers, load), e.g. from the workers' `$SRV.STATS`. */
  health?: () => Readonly<Record<string, ModelHealth>>;
  maxOutputTokens?: number;
}

/** The text the router scores: the node's instructions and the task input, capped. */
function promptOf(task: PlannedTask, node: PipelineNode): string {
  const input = typeof task.input === 'string' ? task.input : JSON.stringify(task.input ?? '');
  return `${node.instructions}\n${input}`.slice(0, 4_000);
}

/**
 * Connects a learned router to the planner: `chooseModel` routes every node attempt under the
 * hard constraints (capabilities, privacy, budget, models already tried, health), and `onVerdict`
 * turns each judge verdict into a labelled example, so the router learns online.
 */
export function createRouterPolicy(router: Router, options: RouterPolicyOptions = {}) {
  return {
    chooseModel({ task, node, excludeModels, servedModels }: ChooseModelInput): string | undefined {
      if (node.model) return node.model; // a pinned model wins over the router
      const candidates = router.models.filter((id) => servedModels.has(id));
      // No worker serves a model the router knows: let the worker use its own default.
      if (candidates.length === 0) return undefined;
      const requires: Capability[] = node.outputSchema ? ['chat', 'json'] : ['chat'];
      return router.route({
        prompt: promptOf(task, node),
        task: node.skill,
        skill: node.skill,
        quality: task.quality,
        requires,
        privacy: task.metadata.privacy === 'local-only' ? 'local-only' : 'any',
        exclude: excludeModels,
        candidates,
        ...(task.budgetUsd !== undefined ? { budgetUsd: task.budgetUsd } : {}),
        ...(options.maxOutputTokens ? { maxOutputTokens: options.maxOutputTokens } : {}),
        ...(options.health ? { health: options.health() } : {}),
      }).model;
    },
    onVerdict({ task, node, result, verdict }: VerdictFeedback): void {
      if (verdict.decision === 'escalate') return; // the human has the last word, not this verdict
      router.update({ prompt: promptOf(task, node), task: node.skill, model: result.model, score: scoreFromVerdict(verdict), costUsd: result.costUsd });
    },
  };
}
