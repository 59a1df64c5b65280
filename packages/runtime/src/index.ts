export { createTroupe, type Troupe, type TroupeOptions, type TroupeRole } from './create-troupe.js';
export { createModelCatalog, type ModelCatalog, type ModelFactory } from './model-catalog.js';
export { hostPlanner, type ChooseModelInput, type PlannerHostOptions } from './planner-host.js';
export { hostWorker, type NodeResultLedger, type WorkerHostOptions } from './worker-host.js';
export { cacheOnVerdict, faqTemplateFactory, questionOf, type WorkerContextLayer } from './worker-context.js';
export { CACHE_PROMOTERS_QUEUE, promoteFromVerdictFeed } from './cache-promoter.js';
export { codeSkillsAsTools, hostCodeSkills, type CodeSkillHostOptions } from './code-skill-host.js';
export { defaultVerdictPolicy, hostJudge, type JudgeHostOptions } from './judge-host.js';
export { SkillDirectory, WORKER_SERVICE_NAME, skillsOf } from './skill-directory.js';
export { createMemoryTaskStore } from './task-store.js';
export {
  isSuperseded,
  supersededError,
  type PutOptions,
  type TaskRecord,
  type TaskStore,
  type VersionedTaskRecord,
} from '@troupe/store-contract';
export type { NodeRecord, PlannedTask, QueuedTask, TaskConsumer, TaskDelivery, TaskQueue } from '@troupe/store-contract';
export { TaskRecordSchema } from '@troupe/store-contract';
export { RecordWriter } from './record-writer.js';
export { retryWhileUnavailable, watchReconnects, type ReconnectWatch, type RecoveryOptions } from './request-recovery.js';
export { draftPlan, planDraftSchema, PLAN_SKILL, type DraftPlanOptions, type DraftedPlan } from './llm-planner.js';
export { createRouterPolicy, type RouterPolicyOptions, type VerdictFeedback } from './router-policy.js';
export { ROUTER_LEARNERS_QUEUE, syncRouter, type RouterSync, type RouterSyncOptions } from './router-sync.js';
