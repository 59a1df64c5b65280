import { z } from 'zod';
import { ErrorCode, Id, NodeReport, PipelineDefinition, TaskSubmission, TroupeError } from '@troupe/protocol';
import type { QueuedTask } from '@troupe/store-contract';

const Envelope = z.object({
  task: z.unknown(),
  pipeline: PipelineDefinition.optional(),
  planReport: NodeReport.optional(),
});

/**
 * Reads a queued message. It is checked again here, not trusted: any client allowed to publish on
 * its tenant's queue subject can put bytes there, and the tenant always comes from the subject.
 */
export function parseQueuedTask(data: Uint8Array, subjectTenant: string): { queued: QueuedTask | undefined; invalid: TroupeError | undefined } {
  const invalid = (message: string) => ({ queued: undefined, invalid: new TroupeError(ErrorCode.INVALID_TASK, message, { retryable: false }) });
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return invalid('the queued message is not JSON');
  }
  const envelope = Envelope.safeParse(json);
  if (!envelope.success) return invalid(`the queued message is not a queued task: ${z.prettifyError(envelope.error)}`);
  const task = TaskSubmission.safeParse(envelope.data.task);
  if (!task.success) return invalid(`the queued task is invalid: ${z.prettifyError(task.error)}`);
  const id = Id.safeParse(task.data.id);
  if (!id.success) return invalid('the queued task has no valid "id"');
  if (task.data.tenant !== subjectTenant) {
    return {
      queued: undefined,
      invalid: new TroupeError(ErrorCode.PERMISSION_DENIED, `a task of tenant "${task.data.tenant}" was queued on tenant "${subjectTenant}"'s subject`, { retryable: false }),
    };
  }
  const { pipeline, planReport } = envelope.data;
  return { queued: { task: { ...task.data, id: id.data }, ...(pipeline ? { pipeline } : {}), ...(planReport ? { planReport } : {}) }, invalid: undefined };
}
