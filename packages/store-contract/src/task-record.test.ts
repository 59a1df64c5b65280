import { describe, expect, it } from 'vitest';
import { TaskRecordSchema, type TaskRecord } from './task-record.js';

const record = (node: Record<string, unknown>): unknown => ({
  task: { id: 't1', tenant: 'acme', pipeline: 'p', input: 'x', quality: 'balanced', planner: 'declarative', metadata: {} },
  pipelineName: 'p',
  startedAt: 1,
  status: 'running',
  nodes: { a: node },
});
const node = {
  status: 'succeeded',
  attempt: 1,
  triedModels: ['m'],
  feedback: [],
  judgeErrors: 0,
  costUsd: 0.1,
  usage: { inputTokens: 1, outputTokens: 2, cachedInputTokens: 0 },
};

describe('TaskRecordSchema', () => {
  it('reads back a stored record, keeping node fields a newer planner added', () => {
    const parsed: TaskRecord = TaskRecordSchema.parse(record({ ...node, step: 1, futureField: 'kept' }));
    expect(parsed.task.id).toBe('t1');
    expect(parsed.nodes.a).toMatchObject({ status: 'succeeded', step: 1, futureField: 'kept' });
  });

  it('rejects a record whose node is not a node record, and a task without an id', () => {
    expect(TaskRecordSchema.safeParse(record({ ...node, status: 'exploded' })).success).toBe(false);
    const withoutId = record(node) as { task: Record<string, unknown> };
    delete withoutId.task.id;
    expect(TaskRecordSchema.safeParse(withoutId).success).toBe(false);
  });
});
