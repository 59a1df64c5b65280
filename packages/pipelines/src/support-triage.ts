import type { PipelineDefinitionInput } from '@troupe/protocol';

/**
 * Support-ticket triage: a fast trained classifier (escalating to an LLM when unsure) picks one branch — a FAQ template (no LLM), a local
 * specialist, or a frontier model with retrieved context — and the answer is verified; the judge
 * escalates to a human when it cannot pass it.
 */
export const supportTriage: PipelineDefinitionInput = {
  name: 'support-triage',
  description: 'Classify a ticket, answer it on the cheapest capable branch, verify the answer.',
  nodes: [
    {
      id: 'classify',
      skill: 'classify',
      instructions: 'Classify the ticket: "faq" for common questions, "simple" for one-step fixes, "complex" otherwise.',
      outputSchema: {
        type: 'object',
        properties: { category: { type: 'string', enum: ['faq', 'simple', 'complex'] } },
        required: ['category'],
      },
      // A classifier trained on labelled tickets (models/classifiers, `troupe classifier train`)
      // answers when it reaches its cross-validated threshold; below it, or out of scope ("other"
      // is not in the enum), the gate escalates to an LLM classify. No frontier call per ticket.
      cascade: [{ model: 'triage-classifier', gate: { checks: ['schema', 'confidence'] } }, { model: 'smollm2-135m-instruct' }],
    },
    // Served by a template model with `collection: 'support-faq'`: the best FAQ entry, no LLM.
    {
      id: 'faq',
      skill: 'faq',
      dependsOn: ['classify'],
      when: { node: 'classify', field: 'category', equals: 'faq' },
      outputSchema: { type: 'object', properties: { reply: { type: 'string' } }, required: ['reply'] },
    },
    {
      id: 'local-answer',
      skill: 'generate',
      dependsOn: ['classify'],
      when: { node: 'classify', field: 'category', equals: 'simple' },
      instructions: 'Answer the ticket in two sentences.',
      outputSchema: { type: 'object', properties: { reply: { type: 'string' } }, required: ['reply'] },
    },
    {
      id: 'expert-answer',
      skill: 'expert',
      dependsOn: ['classify'],
      when: { node: 'classify', field: 'category', equals: 'complex' },
      instructions: 'Answer the ticket using only the retrieved policy context.',
      // `troupe context ingest <policies> --collection support-policies`; the judge checks facts against these chunks.
      context: { collection: 'support-policies', k: 4 },
      checks: ['schema', 'pii', 'factuality'],
      outputSchema: { type: 'object', properties: { reply: { type: 'string' } }, required: ['reply'] },
    },
    {
      id: 'verify',
      skill: 'verify',
      dependsOn: ['faq', 'local-answer', 'expert-answer'],
      instructions: 'Check the reply is polite, correct and contains no personal data; return it unchanged if so.',
      checks: ['schema', 'pii', 'policy'],
      outputSchema: { type: 'object', properties: { reply: { type: 'string' } }, required: ['reply'] },
    },
  ],
  output: 'verify',
};
