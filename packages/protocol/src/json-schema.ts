import { z } from 'zod';
import { ErrorReply } from './messages/error-reply.js';
import { PipelineDefinition } from './messages/pipeline.js';
import { ProgressEvent } from './messages/progress.js';
import { SubtaskRequest, WorkerResult } from './messages/subtask.js';
import { TaskAccepted, TaskQuery, TaskResult, TaskSubmission } from './messages/task.js';
import { JudgeRequest, Verdict, VerdictFeedEntry } from './messages/verdict.js';

/** Every message that travels on a subject, by the file name of its committed JSON Schema. */
export const wireSchemas = {
  'task-submission': TaskSubmission,
  'task-accepted': TaskAccepted,
  'task-query': TaskQuery,
  'task-result': TaskResult,
  'pipeline-definition': PipelineDefinition,
  'subtask-request': SubtaskRequest,
  'worker-result': WorkerResult,
  'judge-request': JudgeRequest,
  verdict: Verdict,
  'verdict-feed-entry': VerdictFeedEntry,
  'progress-event': ProgressEvent,
  'error-reply': ErrorReply,
} as const;

/**
 * JSON Schema (draft 2020-12) for each wire message, as a client in another language sees it:
 * `io: 'input'` so fields with defaults are optional, exactly as the services accept them.
 */
export function toJsonSchemas(): Record<keyof typeof wireSchemas, Record<string, unknown>> {
  const entries = Object.entries(wireSchemas).map(([name, schema]) => [
    name,
    z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }),
  ]);
  return Object.fromEntries(entries) as Record<keyof typeof wireSchemas, Record<string, unknown>>;
}
