import type { PipelineDefinitionInput, PipelineNodeInput } from '@troupe/protocol';
import { supportTriage } from './support-triage.js';

/** The `order-lookup` node: a code skill (`createOrderLookupSkill` in `@troupe/skills`) reading PostgreSQL. */
export const orderLookupNode: PipelineNodeInput = {
  id: 'order-lookup',
  skill: 'order-lookup',
  instructions: 'Look up the order the ticket names (its status, total and delivery estimate).',
  maxAttempts: 2,
  timeoutMs: 5_000,
  checks: ['schema'],
  outputSchema: {
    type: 'object',
    properties: {
      orderId: { type: ['string', 'null'] },
      found: { type: 'boolean' },
      status: { type: ['string', 'null'] },
      totalUsd: { type: ['number', 'null'] },
      eta: { type: ['string', 'null'] },
    },
    required: ['orderId', 'found', 'status', 'totalUsd', 'eta'],
  },
};

const ANSWERS = new Set(['local-answer', 'expert-answer']);

/**
 * Support triage with order facts: `order-lookup` runs beside the classifier, and both answer
 * branches read its result (`from['order-lookup']` in their input), so the judge's factuality check
 * holds the answer to the looked-up facts. Needs a worker serving `order-lookup` (its database from
 * `TROUPE_ORDERS_DATABASE_URL`); plain `support-triage` needs none.
 */
export const supportTriageWithOrders: PipelineDefinitionInput = {
  ...supportTriage,
  name: 'support-triage-orders',
  description: 'Classify a ticket, look up the order it names in PostgreSQL, answer from the order facts, verify the answer.',
  nodes: [
    orderLookupNode,
    ...supportTriage.nodes.map((node) =>
      ANSWERS.has(node.id)
        ? {
            ...node,
            dependsOn: [...(node.dependsOn ?? []), 'order-lookup'],
            instructions:
              `${node.instructions ?? ''} When the ticket is about an order, state its status, total and delivery estimate exactly as order-lookup found them.`.trim(),
            checks: [...new Set([...(node.checks ?? ['schema', 'pii']), 'factuality'])],
          }
        : node,
    ),
  ],
};
