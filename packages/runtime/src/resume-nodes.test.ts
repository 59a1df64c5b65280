import { describe, expect, it } from 'vitest';
import { initialNodeState, type NodeState } from '@troupe/planner';
import type { WorkerResult } from '@troupe/protocol';
import { rewindInFlightNodes } from './resume-nodes.js';

const result = (attempt: number, model: string, costUsd: number): WorkerResult => ({
  taskId: 't',
  nodeId: 'n',
  attempt,
  output: 'x',
  model,
  provider: 'echo',
  usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 0 },
  costUsd,
  metrics: { latencyMs: 1, queueWaitMs: 0 },
  flagged: false,
});

describe('rewindInFlightNodes', () => {
  // Regression: a node resumed while being judged was re-sent with its own model excluded, and the
  // router answered NO_ROUTE (seen in the chaos benchmark); its cost was also counted twice.
  it('takes a judged-but-unsettled attempt back out, so its replay is counted once and its model stays allowed', () => {
    const judging: NodeState = {
      ...initialNodeState(),
      status: 'judging',
      attempt: 2,
      triedModels: ['small', 'large'],
      result: result(2, 'large', 0.3),
      costUsd: 0.5,
      usage: { inputTokens: 20, outputTokens: 10, cachedInputTokens: 0 },
    };
    const succeeded: NodeState = { ...initialNodeState(), status: 'succeeded', attempt: 1, triedModels: ['small'], result: result(1, 'small', 0.1), costUsd: 0.1 };
    const rewound = rewindInFlightNodes({ a: succeeded, b: judging });
    expect(rewound.a).toBe(succeeded);
    expect(rewound.b).toMatchObject({ status: 'judging', attempt: 2, triedModels: ['small'], usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 0 } });
    expect(rewound.b?.costUsd).toBeCloseTo(0.2);
    expect(rewound.b?.result).toBeUndefined();
  });
});
