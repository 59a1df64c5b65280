export { createTroupe, type Troupe, type TroupeOptions, type TroupeRole } from './create-troupe.js';
export { createModelCatalog, type ModelCatalog, type ModelFactory } from './model-catalog.js';
export { hostPlanner, type ChooseModelInput, type PlannerHostOptions } from './planner-host.js';
export { hostWorker, type WorkerHostOptions } from './worker-host.js';
export { hostJudge, type JudgeHostOptions } from './judge-host.js';
export { SkillDirectory, WORKER_SERVICE_NAME } from './skill-directory.js';
export { createMemoryTaskStore, type TaskRecord, type TaskStore } from './task-store.js';
export { draftPlan, planDraftSchema, PLAN_SKILL, type DraftPlanOptions, type DraftedPlan } from './llm-planner.js';
