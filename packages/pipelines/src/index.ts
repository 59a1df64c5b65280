import type { PipelineDefinitionInput } from '@troupe/protocol';
import { extractLogicSynthesis } from './extract-logic-synthesis.js';
import { planExecuteValidate } from './plan-execute-validate.js';
import { supportTriage } from './support-triage.js';

export { extractLogicSynthesis, planExecuteValidate, supportTriage };

/** Every built-in pipeline; the planner service registers these unless told otherwise. */
export const builtInPipelines: readonly PipelineDefinitionInput[] = [extractLogicSynthesis, supportTriage, planExecuteValidate];
