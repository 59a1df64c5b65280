import { describe, expect, it } from 'vitest';
import type { TaskRecord } from '@troupe/store-contract';
import { escalationRows } from './escalation-rows.js';

const usage = { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0 };
const metrics = { latencyMs: 1, queueWaitMs: 0 };

function record(id: string, input: unknown, calls: { model: string; decision: 'pass' | 'fail' | 'retry' }[], final: { model: string; category: string }): TaskRecord {
  return {
    task: { id, input, tenant: 'default', pipeline: 'support-triage' } as unknown as TaskRecord['task'],
    pipelineName: 'support-triage',
    startedAt: 0,
    status: 'completed',
    nodes: {
      classify: {
        status: 'succeeded',
        attempt: calls.length,
        triedModels: calls.map((call) => call.model),
        feedback: [],
        judgeErrors: 0,
        costUsd: 0,
        usage,
        calls: calls.map((call, index) => ({ attempt: index + 1, step: index, model: call.model, role: 'answer' as const, costUsd: 0, decision: call.decision })),
        result: { taskId: id, nodeId: 'classify', attempt: calls.length, model: final.model, provider: 'x', output: { category: final.category }, usage, costUsd: 0, metrics, flagged: false } as unknown as NonNullable<TaskRecord['nodes'][string]['result']>,
        verdict: { decision: 'pass' } as unknown as NonNullable<TaskRecord['nodes'][string]['verdict']>,
      },
    },
  };
}

describe('escalationRows', () => {
  it('keeps only inputs the classifier escalated and a later step answered with a passed label', () => {
    const records = [
      record('t1', { ticket: 'my parcel is a mystery' }, [{ model: 'triage-classifier', decision: 'fail' }, { model: 'llm', decision: 'pass' }], { model: 'llm', category: 'complex' }),
      record('t2', { ticket: 'opening hours?' }, [{ model: 'triage-classifier', decision: 'pass' }], { model: 'triage-classifier', category: 'faq' }),
      record('t3', 'plain text ticket', [{ model: 'triage-classifier', decision: 'retry' }, { model: 'llm', decision: 'pass' }], { model: 'llm', category: 'simple' }),
      record('t4', { ticket: 'my parcel is a mystery' }, [{ model: 'triage-classifier', decision: 'fail' }, { model: 'llm', decision: 'pass' }], { model: 'llm', category: 'complex' }),
    ];
    expect(escalationRows(records, { classifierModels: ['triage-classifier'], outputField: 'category' })).toEqual([
      { text: 'my parcel is a mystery', label: 'complex' },
      { text: 'plain text ticket', label: 'simple' },
    ]);
    expect(escalationRows(records, { classifierModels: ['other-classifier'], outputField: 'category' })).toEqual([]);
  });
});
