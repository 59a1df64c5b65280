import { describe, expect, it } from 'vitest';
import { TaskSubmission } from './task.js';

describe('TaskSubmission', () => {
  it('fills defaults for a minimal task', () => {
    const task = TaskSubmission.parse({ pipeline: 'triage', input: { text: 'hi' } });
    expect(task.tenant).toBe('default');
    expect(task.quality).toBe('balanced');
  });

  it('rejects a task with neither pipeline nor plan, naming the field', () => {
    const result = TaskSubmission.safeParse({ input: 'x' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['pipeline']);
  });

  it('rejects ids that are not safe subject tokens', () => {
    expect(TaskSubmission.safeParse({ id: 'a.b', pipeline: 'p', input: 1 }).success).toBe(false);
    expect(TaskSubmission.safeParse({ tenant: 'acme>', pipeline: 'p', input: 1 }).success).toBe(false);
  });
});
