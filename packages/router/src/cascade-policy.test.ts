import { describe, expect, it } from 'vitest';
import { replaySteps, trainCascadePolicy } from './cascade-policy.js';
import type { OutcomeRow } from './outcome-row.js';

// Two cheap models that agree exactly when both are right; an expensive one that is always right.
function row(index: number): OutcomeRow {
  const cheapRight = index % 4 !== 0;
  const answer = cheapRight ? 'A' : index % 8 === 0 ? 'B' : 'C';
  const other = cheapRight ? 'A' : 'D';
  return {
    id: `r${index}`,
    prompt: `question ${index}`,
    task: 'qa',
    outcomes: {
      small: { score: cheapRight ? 1 : 0, costUsd: 0.001 },
      peer: { score: cheapRight ? 1 : 0, costUsd: 0.002 },
      big: { score: 1, costUsd: 0.1 },
    },
    responses: { small: answer, peer: other, big: 'A' },
  };
}

describe('cascade policy', () => {
  const rows = Array.from({ length: 200 }, (_, index) => row(index));

  it('replays a consensus cascade as the runtime runs it, charging every call', () => {
    const steps = [{ model: 'small', consensusWith: 'peer' }, { model: 'big' }];
    expect(replaySteps(rows[1] as OutcomeRow, steps)).toMatchObject({ score: 1, calls: 2, accepted: 'small' });
    expect(replaySteps(rows[1] as OutcomeRow, steps).cost).toBeCloseTo(0.003, 12);
    expect(replaySteps(rows[0] as OutcomeRow, steps)).toMatchObject({ score: 1, calls: 3, accepted: 'big' });
  });

  it('chooses the agreement cascade by cross-validation under the cost share', () => {
    const policy = trainCascadePolicy(rows, { costShare: 0.4, folds: 4 });
    expect(policy.groups.qa).toEqual([{ model: 'small', consensusWith: 'peer' }, { model: 'big' }]);
    const chosen = policy.crossValidation.find((entry) => entry.costWeight === policy.costWeight);
    expect(chosen?.qualityVsBest).toBe(1);
    expect(chosen?.costVsBest).toBeLessThanOrEqual(0.4);
  });

  it('falls back to a single cheap model when the budget allows no escalation', () => {
    const policy = trainCascadePolicy(rows, { costShare: 0.05, folds: 4 });
    expect(policy.groups.qa).toHaveLength(1);
  });
});
