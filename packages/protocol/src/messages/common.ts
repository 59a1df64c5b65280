import { z } from 'zod';

/** Ids are opaque, printable and safe as a NATS subject token (no dots, spaces or wildcards). */
export const Id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/, 'use letters, digits, "_" and "-" only');

export const TenantId = Id.refine((tenant) => tenant !== 'internal', '"internal" is reserved').meta({ description: 'Tenant that owns the task; scopes subjects and state.' });

export const Skill = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and "-"');

/** JSON Schema object describing a node's output; validated by the judge, enforced by grammars. */
export const JsonSchemaObject = z.record(z.string(), z.unknown()).meta({ description: 'A JSON Schema (draft 2020-12).' });

export const TokenUsage = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cachedInputTokens: z.number().int().nonnegative().default(0),
});
export type TokenUsage = z.infer<typeof TokenUsage>;

export const Quality = z.enum(['fast', 'balanced', 'best']);
export type Quality = z.infer<typeof Quality>;

/** Per-call measurements attached to every worker result. */
export const CallMetrics = z.object({
  latencyMs: z.number().nonnegative(),
  queueWaitMs: z.number().nonnegative().default(0),
  timeToFirstTokenMs: z.number().nonnegative().optional(),
  tokensPerSecond: z.number().nonnegative().optional(),
  /** Mean probability of the generated tokens (local models), in [0, 1]. */
  confidenceMean: z.number().min(0).max(1).optional(),
  /** Lowest probability of any generated token (local models), in [0, 1]. */
  confidenceMin: z.number().min(0).max(1).optional(),
});
export type CallMetrics = z.infer<typeof CallMetrics>;
