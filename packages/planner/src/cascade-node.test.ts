import { createActor, fromPromise, toPromise } from 'xstate';
import { describe, expect, it } from 'vitest';
import { PipelineDefinition, type Verdict, type WorkerResult } from '@troupe/protocol';
import { plannerMachine, type JudgeNodeInput, type RunNodeInput } from './planner-machine.js';

const task = { id: 't1', tenant: 'default', pipeline: 'x', input: 'Which? A or B', quality: 'balanced' as const, metadata: {} };
const COST: Record<string, number> = { small: 0.001, peer: 0.002, big: 0.05 };

function cascadePipeline(answers: Record<string, string>) {
  const pipeline = PipelineDefinition.parse({
    name: 'qa',
    nodes: [{ id: 'answer', skill: 'qa', cascade: [{ model: 'small', gate: { checks: ['consensus'], consensusModels: ['peer'] } }, { model: 'big' }] }],
  });
  const runs: RunNodeInput[] = [];
  const judged: JudgeNodeInput[] = [];
  const machine = plannerMachine.provide({
    actors: {
      runNode: fromPromise(async ({ input }: { input: RunNodeInput }): Promise<WorkerResult> => {
        runs.push(input);
        const model = input.node.model as string;
        return {
          taskId: task.id, nodeId: input.node.id, attempt: input.attempt, output: answers[model], model, provider: 'replay',
          usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0 }, costUsd: COST[model] as number, metrics: { latencyMs: 1, queueWaitMs: 0 }, flagged: false,
        };
      }),
      // Agreement decided as the consensus check does: equal answers pass, else the gate fails.
      judgeNode: fromPromise(async ({ input }: { input: JudgeNodeInput }): Promise<Verdict> => {
        judged.push(input);
        const agrees = input.gate?.peers?.some((peer) => peer.output === input.result.output) ?? false;
        return { taskId: task.id, nodeId: input.node.id, attempt: input.attempt, decision: agrees ? 'pass' : 'reroute', reasons: agrees ? [] : ['consensus: disagrees'], checks: [] };
      }),
    },
  });
  return { actor: createActor(machine, { input: { task, pipeline, startedAt: Date.now() } }), runs, judged };
}

describe('cascade nodes', () => {
  it('accepts the cheap answer when the consensus peer agrees, charging both calls', async () => {
    const { actor, runs, judged } = cascadePipeline({ small: 'A', peer: 'A', big: 'B' });
    const result = await toPromise(actor.start());
    expect(result.status).toBe('completed');
    expect(result.output).toBe('A');
    expect(runs.map((run) => run.node.model).sort()).toEqual(['peer', 'small']);
    expect(new Set(runs.map((run) => run.attempt)).size).toBe(2); // distinct idempotency keys
    expect(judged[0]?.gate?.canEscalate).toBe(true);
    expect(result.costUsd).toBeCloseTo(0.003, 10);
    expect(result.nodes[0]?.calls?.map((call) => [call.model, call.role, call.decision])).toEqual([
      ['small', 'answer', 'pass'],
      ['peer', 'consensus', undefined],
    ]);
  });

  it('escalates to the next step when the gate fails, and the last step stands without a judge', async () => {
    const { actor, runs, judged } = cascadePipeline({ small: 'A', peer: 'C', big: 'B' });
    const result = await toPromise(actor.start());
    expect(result.status).toBe('completed');
    expect(result.output).toBe('B');
    expect(runs.map((run) => run.node.model)).toContain('big');
    expect(judged).toHaveLength(1);
    expect(result.costUsd).toBeCloseTo(0.053, 10);
    expect(result.nodes[0]?.model).toBe('big');
    expect(result.nodes[0]?.calls?.map((call) => [call.model, call.step, call.decision])).toEqual([
      ['small', 0, 'reroute'],
      ['peer', 0, undefined],
      ['big', 1, undefined],
    ]);
  });
});
