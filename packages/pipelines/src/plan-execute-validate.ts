import type { PipelineDefinitionInput } from '@troupe/protocol';

/** Plan → execute → validate: a small model drafts steps, a worker executes them, a validator checks. */
export const planExecuteValidate: PipelineDefinitionInput = {
  name: 'plan-execute-validate',
  description: 'Draft a plan of steps, execute it, validate the result.',
  nodes: [
    {
      id: 'plan',
      skill: 'plan',
      instructions: 'List at most three short steps that solve the task.',
      outputSchema: {
        type: 'object',
        properties: { steps: { type: 'array', items: { type: 'string', maxLength: 80 }, maxItems: 3 } },
        required: ['steps'],
      },
    },
    { id: 'execute', skill: 'generate', dependsOn: ['plan'], instructions: 'Carry out the steps and report the result.' },
    {
      id: 'validate',
      skill: 'classify',
      dependsOn: ['plan', 'execute'],
      instructions: 'Does the result follow the plan?',
      outputSchema: { type: 'object', properties: { valid: { type: 'boolean' } }, required: ['valid'] },
    },
  ],
};
