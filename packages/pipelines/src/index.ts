import type { PipelineDefinitionInput } from '@troupe/protocol';
import { extractLogicSynthesis } from './extract-logic-synthesis.js';
import { planExecuteValidate } from './plan-execute-validate.js';
import { refundDemo } from './refund-demo.js';
import { supportTriage } from './support-triage.js';
import { orderLookupNode, supportTriageWithOrders } from './support-triage-orders.js';

export { extractLogicSynthesis, planExecuteValidate, refundDemo, supportTriage };
export { orderLookupNode, supportTriageWithOrders };

/** Every built-in pipeline; the planner service registers these unless told otherwise. */
export const builtInPipelines: readonly PipelineDefinitionInput[] = [extractLogicSynthesis, supportTriage, planExecuteValidate, refundDemo];
