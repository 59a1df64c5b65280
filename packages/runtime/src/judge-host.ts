import type { NatsConnection } from '@nats-io/nats-core';
import { createActor, fromPromise, toPromise } from 'xstate';
import { createSchemaCheck, type Check } from '@troupe/checks';
import { JudgeRequest, QueueGroup, subjects, type CheckResult } from '@troupe/protocol';
import { defaultVerdictPolicy, judgeMachine, type VerdictPolicy } from '@troupe/judge';
import { createTroupeService, defineEndpoint, encodeJson, silentLogger, type Logger, type TroupeService } from '@troupe/transport';

export interface JudgeHostOptions {
  connection: NatsConnection;
  /** Checks run on every output; the schema check is always first. */
  checks?: readonly Check[];
  policy?: VerdictPolicy;
  logger?: Logger;
  maxPayloadBytes?: number;
}

/**
 * Hosts the judge on `troupe.v1.internal.judge.verify` and publishes every verdict on the verdict
 * feed, where routers learn from it and judge precision/recall can be measured.
 */
export async function hostJudge(options: JudgeHostOptions): Promise<TroupeService> {
  const { connection } = options;
  const logger = (options.logger ?? silentLogger).child({ actor: 'judge' });
  const checks: Check[] = [createSchemaCheck(), ...(options.checks ?? [])];
  const totals = { verdicts: 0, passed: 0, failed: 0 };

  const machine = judgeMachine.provide({
    actors: {
      runChecks: fromPromise(async ({ input, signal }) => {
        const selected = input.checks ? checks.filter((check) => input.checks?.includes(check.name)) : checks;
        const checkInput = {
          skill: input.skill,
          output: input.output,
          ...(input.outputSchema ? { outputSchema: input.outputSchema } : {}),
          ...(input.context ? { context: input.context } : {}),
        };
        return Promise.all(
          selected.map((check) =>
            check.run(checkInput, { signal }).catch(
              (error: unknown): CheckResult => ({ name: check.name, passed: false, detail: `unsure: ${error instanceof Error ? error.message : String(error)}` }),
            ),
          ),
        );
      }),
    },
  });

  return createTroupeService({
    connection,
    name: 'troupe-judge',
    version: '0.1.0',
    description: `Verifies node outputs with checks: ${checks.map((check) => check.name).join(', ')}.`,
    logger,
    ...(options.maxPayloadBytes ? { maxPayloadBytes: options.maxPayloadBytes } : {}),
    stats: () => totals,
    endpoints: [
      defineEndpoint({
        name: 'verify',
        subject: subjects.judgeVerify,
        queue: QueueGroup.judge,
        schema: JudgeRequest,
        spanName: 'troupe.judge.verify',
        handle: async (request: JudgeRequest) => {
          const actor = createActor(machine, { input: { request, policy: options.policy ?? defaultVerdictPolicy } }).start();
          const verdict = await toPromise(actor);
          totals.verdicts += 1;
          totals[verdict.decision === 'pass' ? 'passed' : 'failed'] += 1;
          connection.publish(subjects.verdictFeed, encodeJson({ ...verdict, tenant: request.tenant, skill: request.skill, model: request.model }));
          return verdict;
        },
      }),
    ],
  });
}
