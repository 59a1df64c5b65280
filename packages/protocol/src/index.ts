export { ErrorCode, errorStatus, isRetryableCode } from './error-codes.js';
export { TroupeError, errorReplyOf, getTroupeErrorFromUnknown, type TroupeErrorOptions } from './troupe-error.js';
export { ErrorReply } from './messages/error-reply.js';
export { ChatRequest, ChatRole, ToolCallRecord, type ChatRequestInput } from './messages/chat.js';
export { CallMetrics, Id, JsonSchemaObject, Quality, Skill, TenantId, TokenUsage } from './messages/common.js';
export {
  Cascade,
  CascadeGate,
  CascadeStep,
  PipelineDefinition,
  NodeContext,
  PipelineNode,
  type PipelineDefinitionInput,
  type PipelineNodeInput,
} from './messages/pipeline.js';
export {
  NodeCall,
  NodeReport,
  NodeStatus,
  TaskAccepted,
  TaskQuery,
  TaskResult,
  TaskStatus,
  TaskSubmission,
  type TaskSubmissionInput,
} from './messages/task.js';
export { CacheReport, RetrievalReport, SubtaskRequest, WorkerResult, type SubtaskRequestInput } from './messages/subtask.js';
export { CheckResult, JudgeRequest, Verdict, VerdictDecision, VerdictFeedEntry, type JudgeRequestInput } from './messages/verdict.js';
export { ProgressEvent, type ProgressEventType } from './messages/progress.js';
export { QueueGroup, SUBJECT_ROOT, subjects, tenantOfSubject } from './subjects.js';
export { DEFAULT_MAX_PAYLOAD_BYTES, Header } from './headers.js';
export { wireSchemas, toJsonSchemas } from './json-schema.js';
export {
  DurableResourceNames,
  SERVICE_INBOX_PREFIX,
  ServiceName,
  SharedBucketNames,
  judgePermissions,
  kvBucketPermissions,
  mergePermissions,
  operatorPermissions,
  gatewayPermissions,
  plannerPermissions,
  reviewerPermissions,
  tenantInboxPrefix,
  tenantPermissions,
  workerPermissions,
  type RolePermissionOptions,
  type SubjectPermissions,
} from './permissions.js';
