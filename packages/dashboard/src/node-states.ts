import type { NodeView, NodeViewStatus, TaskView } from './views.js';

/** Order of a node's states within one attempt: an older message never moves a node back. */
export const RANK: Record<NodeViewStatus, number> = { pending: 0, running: 1, judging: 2, succeeded: 3, failed: 3, skipped: 3 };
/** Providers that run on this side (no per-token price): their calls count as the local tier. */
export const LOCAL_PROVIDERS = new Set(['llama-cpp', 'echo', 'template', 'cache']);

/** A node before anything is known of it. */
export function emptyNode(id: string, skill = '?', dependsOn: string[] = []): NodeView {
  return {
    id,
    skill,
    dependsOn,
    status: 'pending',
    models: [],
    attempts: 0,
    escalations: 0,
    tokensIn: 0,
    tokensOut: 0,
    cachedTokens: 0,
    cacheHits: 0,
    costUsd: 0,
    reasons: [],
  };
}

/** A node status from a record, `running` for states this version does not know. */
export function asStatus(status: string): NodeViewStatus {
  return (['pending', 'running', 'judging', 'succeeded', 'failed', 'skipped'] as const).find((known) => known === status) ?? 'running';
}

/** A task status from a record. */
export function asTaskStatus(status: string): TaskView['status'] | undefined {
  return (['queued', 'running', 'completed', 'failed'] as const).find((known) => known === status);
}

/** `pass` when every node that ran passed; otherwise the first node's other decision. */
export function finalVerdict(task: TaskView): string | undefined {
  const judged = task.nodes.filter((node) => node.status !== 'skipped' && node.verdict);
  if (judged.length === 0) return undefined;
  return judged.find((node) => node.verdict !== 'pass')?.verdict ?? 'pass';
}
