import { describe, expect, it } from 'vitest';
import { computeEconomics } from './economics.js';
import { TaskBoard } from './task-board.js';
import { TaskRecordWire } from './wire.js';

const usage = { inputTokens: 100, outputTokens: 20, cachedInputTokens: 0 };
const metrics = { latencyMs: 40, queueWaitMs: 0 };

describe('TaskBoard', () => {
  it('follows a node through events, never moving it back when an older record arrives', () => {
    const board = new TaskBoard();
    board.applyEvent('acme', {
      type: 'plan.ready',
      taskId: 't1',
      at: 1,
      nodes: [
        { id: 'a', skill: 'extract', dependsOn: [] },
        { id: 'b', skill: 'generate', dependsOn: ['a'] },
      ],
    });
    board.applyEvent('acme', { type: 'node.started', taskId: 't1', at: 2, nodeId: 'a', attempt: 1, model: 'small' });
    expect(board.tasks()[0]?.nodes[0]).toMatchObject({ id: 'a', status: 'running', model: 'small', attempts: 1 });
    board.applyEvent('acme', {
      type: 'node.completed',
      taskId: 't1',
      at: 3,
      nodeId: 'a',
      attempt: 1,
      model: 'small',
      usage,
      costUsd: 0.001,
      metrics,
    });
    // A record written before the completion arrives late: the node stays judging.
    board.applyRecord(
      TaskRecordWire.parse({
        task: { id: 't1', tenant: 'acme' },
        pipelineName: 'p',
        startedAt: 1,
        status: 'running',
        nodes: { a: { status: 'running', attempt: 1, triedModels: ['small'] } },
      }),
    );
    expect(board.tasks()[0]?.nodes[0]?.status).toBe('judging');
    board.applyEvent('acme', { type: 'verdict.ready', taskId: 't1', at: 4, nodeId: 'a', attempt: 1, decision: 'escalate', reasons: ['unsure'] });
    board.applyEvent('acme', { type: 'node.started', taskId: 't1', at: 5, nodeId: 'a', attempt: 2, model: 'large' });
    const node = board.tasks()[0]!.nodes[0]!;
    expect(node).toMatchObject({
      status: 'running',
      attempts: 2,
      models: ['small', 'large'],
      escalations: 1,
      verdict: 'escalate',
      reasons: ['unsure'],
    });
    expect(board.tasks('other')).toEqual([]);
  });

  it('takes the final result from the record: savings, verdicts and the cascade calls count once', () => {
    const board = new TaskBoard();
    board.applyEvent('default', { type: 'node.completed', taskId: 't2', at: 3, nodeId: 'a', attempt: 1, model: 'small', usage, costUsd: 0, metrics });
    board.applyRecord(
      TaskRecordWire.parse({
        task: { id: 't2', tenant: 'default' },
        pipelineName: 'p',
        pipeline: { nodes: [{ id: 'a', skill: 'extract', dependsOn: [] }] },
        startedAt: 1,
        updatedAt: 9,
        status: 'completed',
        nodes: {},
        result: {
          status: 'completed',
          costUsd: 0.002,
          savingsUsd: 0.008,
          latencyMs: 8,
          nodes: [
            {
              nodeId: 'a',
              skill: 'extract',
              status: 'succeeded',
              attempts: 1,
              model: 'gpt',
              provider: 'openai',
              usage,
              costUsd: 0.002,
              verdict: { decision: 'pass', reasons: [] },
              calls: [
                { attempt: 1, step: 0, model: 'small', role: 'answer', costUsd: 0, decision: 'escalate' },
                { attempt: 1, step: 1, model: 'gpt', role: 'answer', costUsd: 0.002, decision: 'pass' },
              ],
            },
          ],
        },
      }),
    );
    const [task] = board.tasks();
    expect(task).toMatchObject({ status: 'completed', costUsd: 0.002, savingsUsd: 0.008, referenceCostUsd: 0.01, verdict: 'pass', finishedAt: 9 });
    expect(task?.nodes[0]).toMatchObject({ models: ['small', 'gpt'], escalations: 1, verdict: 'pass' });
    const economics = computeEconomics(board.tasks(), board.calls());
    expect(economics.callsByModel).toEqual([
      { model: 'small', tier: 'local', calls: 1 },
      { model: 'gpt', tier: 'frontier', calls: 1 },
    ]);
    expect(economics.passRates).toEqual([
      { skill: 'extract', model: 'gpt', passed: 1, judged: 1 },
      { skill: 'extract', model: 'small', passed: 0, judged: 1 },
    ]);
    expect(economics.costSeries).toEqual([{ at: 9, taskId: 't2', costUsd: 0.002, referenceCostUsd: 0.01 }]);
    expect(economics.totalReferenceCostUsd).toBeCloseTo(0.01);
  });

  it('keeps at most `capacity` tasks, dropping the first seen', () => {
    const board = new TaskBoard(2);
    for (const id of ['x', 'y', 'z']) board.applyEvent('default', { type: 'task.accepted', taskId: id, at: 1 });
    expect(
      board
        .tasks()
        .map((task) => task.id)
        .sort(),
    ).toEqual(['y', 'z']);
  });
});
