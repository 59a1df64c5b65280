// The judge service: reads config, hosts the judge actor with its checks on NATS, drains on SIGTERM.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { createConfidenceCheck, createConsensusCheck, createDegenerationCheck, createFactualityCheck, createPiiCheck, createPolicyCheck, decideVerdict, type PolicyRule } from '@troupe/checks';
import { hostJudge } from '@troupe/runtime';
import { createKvVerdictLog, recordVerdictFeed } from '@troupe/durability';
import { CommonEnv, runService } from '@troupe/service-common';
import { rubricChecks } from './rubric-checks.js';

const Env = CommonEnv.extend({
  /** Checks run when a node names none. */
  TROUPE_JUDGE_DEFAULT_CHECKS: z.string().default('schema,pii,degeneration'),
  /** JSON file `{ "forbidden": [{ "pattern": "...", "reason": "..." }], "maxLength": 4000 }` for the `policy` check. */
  TROUPE_POLICY: z.string().optional(),
  /** Escalate failed outputs to a human (troupe.v1.internal.human.review) instead of failing them. */
  TROUPE_HUMAN_REVIEW: z.enum(['true', 'false']).default('false'),
  /** Registry ids of the judge models (cheapest first, `,`-separated): registers the `rubric` check. */
  TROUPE_JUDGE_MODEL: z.string().optional(),
  /** The model registry the judge models come from, and the GGUF directory for local ones. */
  TROUPE_MODELS_CONFIG: z.string().optional(),
  TROUPE_MODELS_DIR: z.string().optional(),
  /** What a good answer does, for the `rubric` check. */
  TROUPE_JUDGE_RUBRIC: z.string().default('The answer is correct, complete, follows the instructions and invents nothing the input does not support.'),
  /** Verdicts are kept in NATS KV for this long, readable by task (`troupe verdicts <taskId>`); 0 keeps none. */
  TROUPE_VERDICT_RETENTION_HOURS: z.coerce.number().min(0).default(168),
  TROUPE_JETSTREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
});

const PolicyFile = z.object({
  forbidden: z.array(z.object({ pattern: z.string(), reason: z.string() })).default([]),
  required: z.array(z.object({ pattern: z.string(), reason: z.string() })).default([]),
  maxLength: z.number().int().positive().optional(),
});

await runService({
  name: 'troupe-judge',
  envSchema: Env,
  async start({ env, logger, connection }) {
    const policy = env.TROUPE_POLICY ? PolicyFile.parse(JSON.parse(readFileSync(env.TROUPE_POLICY, 'utf8'))) : undefined;
    const toRules = (rules: { pattern: string; reason: string }[]): PolicyRule[] => rules.map((rule) => ({ pattern: new RegExp(rule.pattern, 'i'), reason: rule.reason }));
    const checks = [
      // PII already present in the node's input may be repeated; new PII and any secret fail.
      createPiiCheck({ allowFromContext: true }),
      createFactualityCheck(),
      // Repeated sentences, looping n-grams, runaway or empty answers: soft, so the node is retried with stronger penalties first.
      createDegenerationCheck(),
      createPolicyCheck({
        ...(policy ? { forbidden: toRules(policy.forbidden), required: toRules(policy.required) } : {}),
        ...(policy?.maxLength ? { maxLength: policy.maxLength } : {}),
      }),
      // Cascade gates: agreement with peer answers, and the worker's own confidence.
      createConsensusCheck(),
      createConfidenceCheck(),
      ...(await rubricChecks(env, logger)),
    ];
    const humanReview = env.TROUPE_HUMAN_REVIEW === 'true';
    const service = await hostJudge({
      connection,
      logger,
      checks,
      defaultChecks: env.TROUPE_JUDGE_DEFAULT_CHECKS.split(',').map((name) => name.trim()).filter(Boolean),
      policy: ({ checks: results, attempt, maxAttempts }) => decideVerdict(results, { attempt, maxAttempts, canReroute: true, humanReview }),
      ...(env.TROUPE_MAX_PAYLOAD_BYTES ? { maxPayloadBytes: env.TROUPE_MAX_PAYLOAD_BYTES } : {}),
    });
    // Every judge replica records the verdict feed in one queue group: each verdict is written once.
    // A judge without JetStream (or without rights to the bucket) still judges: it only keeps no records.
    const verdictLog =
      env.TROUPE_VERDICT_RETENTION_HOURS > 0
        ? await createKvVerdictLog({ connection, retentionMs: env.TROUPE_VERDICT_RETENTION_HOURS * 3_600_000, replicas: env.TROUPE_JETSTREAM_REPLICAS }).catch(
            (error: unknown) => {
              logger.warn({ err: error }, 'verdict records are off: the troupe_verdicts KV bucket cannot be opened');
              return undefined;
            },
          )
        : undefined;
    const recorder = verdictLog ? recordVerdictFeed(connection, verdictLog, logger) : undefined;
    logger.info({ checks: ['schema', ...checks.map((check) => check.name)] }, 'judge listening');
    return {
      stop: async () => {
        await service.stop(env.TROUPE_SHUTDOWN_GRACE_MS);
        await recorder?.drain();
      },
    };
  },
});
