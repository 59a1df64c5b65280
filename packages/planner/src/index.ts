export { checkPipeline, findCycle, type PipelineCheckOptions } from './check-pipeline.js';
export { initialNodeState, isTerminal, nodeInput, readiness, taskOutput, type NodeState } from './node-state.js';
export {
  plannerMachine,
  type HumanDecision,
  type HumanReviewInput,
  type JudgeNodeInput,
  type PlannedTask,
  type PlannerActor,
  type PlannerInput,
  type RunNodeInput,
} from './planner-machine.js';
export { buildTaskResult } from './task-result.js';
