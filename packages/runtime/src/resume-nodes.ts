import type { NodeState } from '@troupe/planner';

/**
 * Prepares persisted node states for a resumed planner. The machine re-sends nodes that were in
 * flight at the same attempt, and the worker ledger replays that attempt's result, which the
 * machine then counts again. So a node that was already being judged is rewound to before its
 * result arrived: its cost and tokens are taken back out and its model leaves `triedModels`
 * (otherwise the router would be told to avoid the very model that is about to be replayed).
 */
export function rewindInFlightNodes(nodes: Record<string, NodeState>): Record<string, NodeState> {
  const rewound: Record<string, NodeState> = {};
  for (const [id, state] of Object.entries(nodes)) {
    const result = state.result;
    if (state.status !== 'judging' || !result || result.attempt !== state.attempt) {
      rewound[id] = state;
      continue;
    }
    const triedModels = state.triedModels.at(-1) === result.model ? state.triedModels.slice(0, -1) : state.triedModels;
    const { result: _replayed, ...rest } = state;
    rewound[id] = {
      ...rest,
      triedModels,
      costUsd: Math.max(0, state.costUsd - result.costUsd),
      usage: {
        inputTokens: Math.max(0, state.usage.inputTokens - result.usage.inputTokens),
        outputTokens: Math.max(0, state.usage.outputTokens - result.usage.outputTokens),
        cachedInputTokens: Math.max(0, state.usage.cachedInputTokens - (result.usage.cachedInputTokens ?? 0)),
      },
    };
  }
  return rewound;
}
