import type { PipelineDefinitionInput } from '@troupe/protocol';

/**
 * The demo on a weak local model: the model does only what it is good at, each step judged.
 * - `extract`: grammar-constrained extraction of name and city (SmolLM2-135M gets these right);
 * - `logic`: the refund policy as a code step (skill `refund-policy`: a rule, no LLM, cost 0);
 * - `synthesis`: one short sentence, capped by the schema's maxLength (the grammar ends the string
 *   there) and written with repeat penalties; the judge's degeneration check retries it with
 *   stronger penalties if it loops anyway.
 * A worker must serve `refund-policy` (`troupe demo` hosts it; see packages/cli/src/refund-policy-step.ts).
 */
export const refundDemo: PipelineDefinitionInput = {
  name: 'refund-demo',
  description: 'Extract who and where, apply the refund policy in code, then write a one-sentence answer.',
  nodes: [
    {
      id: 'extract',
      skill: 'extract',
      model: 'smollm2-135m-instruct',
      // A CPU model on a busy laptop: the first call also loads the model.
      timeoutMs: 120_000,
      instructions: 'Extract the name of the person and the city they live in.',
      outputSchema: {
        type: 'object',
        properties: { name: { type: 'string', maxLength: 40 }, city: { type: 'string', maxLength: 40 } },
        required: ['name', 'city'],
        additionalProperties: false,
      },
    },
    {
      id: 'logic',
      skill: 'refund-policy',
      dependsOn: ['extract'],
      instructions: 'Apply the refund policy.',
      outputSchema: {
        type: 'object',
        properties: { decision: { type: 'string', enum: ['refund', 'replace', 'review', 'no-action'] }, item: { type: 'string' }, reason: { type: 'string' } },
        required: ['decision', 'item', 'reason'],
        additionalProperties: false,
      },
    },
    {
      id: 'synthesis',
      skill: 'generate',
      model: 'smollm2-135m-instruct',
      timeoutMs: 120_000,
      dependsOn: ['extract', 'logic'],
      instructions: 'Write one short sentence to the customer, by name, that tells them the decision and the reason.',
      outputSchema: {
        type: 'object',
        properties: { answer: { type: 'string', maxLength: 160 } },
        required: ['answer'],
        additionalProperties: false,
      },
    },
  ],
  output: 'synthesis',
};
