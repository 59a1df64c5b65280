import type { TaskResult } from '@troupe/protocol';
import type { NodeState, PlannedTask } from '@troupe/planner';

/** What the planner persists per task: plain records, not actor snapshots, so any replica can resume. */
export interface TaskRecord {
  task: PlannedTask;
  pipelineName: string;
  startedAt: number;
  status: 'running' | 'completed' | 'failed';
  nodes: Record<string, NodeState>;
  result?: TaskResult;
}

export interface TaskStore {
  get(tenant: string, taskId: string): Promise<TaskRecord | undefined>;
  put(record: TaskRecord): Promise<void>;
}

/** Keeps the most recent `capacity` tasks in memory; for embedding and tests. */
export function createMemoryTaskStore(capacity = 10_000): TaskStore {
  const records = new Map<string, TaskRecord>();
  return {
    async get(tenant, taskId) {
      return records.get(`${tenant}.${taskId}`);
    },
    async put(record) {
      const key = `${record.task.tenant}.${record.task.id}`;
      records.delete(key);
      records.set(key, record);
      if (records.size > capacity) {
        const oldest = records.keys().next().value;
        if (oldest !== undefined) records.delete(oldest);
      }
    },
  };
}
