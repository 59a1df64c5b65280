import type { PipelineDefinitionInput } from '@troupe/protocol';

/**
 * The demo: extract facts → reason over them → write the answer, each step's output checked
 * by the judge against its schema (and, with the checks configured, facts and PII).
 */
export const extractLogicSynthesis: PipelineDefinitionInput = {
  name: 'extract-logic-synthesis',
  description: 'Extract facts from a text, classify them, then write a short answer.',
  nodes: [
    {
      id: 'extract',
      skill: 'extract',
      instructions: 'Extract the person and the city the text is about.',
      outputSchema: {
        type: 'object',
        properties: { name: { type: 'string', maxLength: 40 }, city: { type: 'string', maxLength: 40 } },
        required: ['name', 'city'],
        additionalProperties: false,
      },
    },
    {
      id: 'logic',
      skill: 'classify',
      dependsOn: ['extract'],
      instructions: 'Is the text a request, a complaint or a story?',
      outputSchema: {
        type: 'object',
        properties: { kind: { type: 'string', enum: ['request', 'complaint', 'story'] } },
        required: ['kind'],
        additionalProperties: false,
      },
    },
    {
      id: 'synthesis',
      skill: 'generate',
      dependsOn: ['extract', 'logic'],
      instructions: 'Write one sentence that answers the text, using the extracted facts.',
      outputSchema: {
        type: 'object',
        properties: { answer: { type: 'string', maxLength: 200 } },
        required: ['answer'],
        additionalProperties: false,
      },
    },
  ],
};
