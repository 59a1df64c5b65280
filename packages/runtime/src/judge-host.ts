import type { NatsConnection } from '@nats-io/nats-core';
import { createActor, fromPromise, toPromise } from 'xstate';
import { createSchemaCheck, decideVerdict, type Check } from '@troupe/checks';
import { JudgeRequest, QueueGroup, subjects, type CheckResult } from '@troupe/protocol';
import { judgeMachine, type VerdictPolicy } from '@troupe/judge';
import { createTroupeService, defineEndpoint, encodeJson, silentLogger, type Logger, type TroupeService } from '@troupe/transport';

/**
 * The one verdict table (`decideVerdict` from `@troupe/checks`), with a stronger model or the next
 * cascade step assumed available: every judge hosted here, embedded (`createTroupe`) or deployed
 * (the judge service), decides the same checks the same way unless a policy is given.
 */
export const defaultVerdictPolicy: VerdictPolicy = ({ checks, attempt, maxAttempts }) => decideVerdict(checks, { attempt, maxAttempts, canReroute: true });

export interface JudgeHostOptions {
  connection: NatsConnection;
  /** Checks this judge can run; the schema check is always available. */
  checks?: readonly Check[];
  /** Checks run when a node names none (default: `schema`, `pii` and `degeneration` when available). */
  defaultChecks?: readonly string[];
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
  const checks: Check[] = [createSchemaCheck(), ...(options.checks ?? []).filter((check) => check.name !== 'schema')];
  const defaultChecks = options.defaultChecks ?? checks.map((check) => check.name).filter((name) => name === 'schema' || name === 'pii' || name === 'degeneration');
  const totals = { verdicts: 0, passed: 0, failed: 0 };

  // The transport's per-request signal (aborted at the caller's deadline), by request object.
  const callerSignals = new WeakMap<JudgeRequest, AbortSignal>();
  const machine = judgeMachine.provide({
    actors: {
      runChecks: fromPromise(async ({ input, signal: actorSignal }) => {
        // Checks stop at the caller's deadline or when it gives up, not only when the actor stops.
        const caller = callerSignals.get(input);
        const signal = caller ? AbortSignal.any([actorSignal, caller]) : actorSignal;
        const wanted = input.checks ?? defaultChecks;
        const unknown = wanted.filter((name) => !checks.some((check) => check.name === name));
        const selected = checks.filter((check) => wanted.includes(check.name));
        // A check this judge cannot run is unsure, never silently skipped.
        const missing = unknown.map((name): CheckResult => ({ name, passed: false, detail: `unsure: this judge has no "${name}" check` }));
        const checkInput = {
          skill: input.skill,
          output: input.output,
          ...(input.outputSchema ? { outputSchema: input.outputSchema } : {}),
          ...(input.peers ? { peers: input.peers } : {}),
          ...(input.confidence !== undefined ? { confidence: input.confidence } : {}),
          ...(input.minConfidence !== undefined ? { minConfidence: input.minConfidence } : {}),
          ...(input.metadata ? { metadata: input.metadata } : {}),
          // Tool results are evidence the output may rest on: facts from them are in context, not invented.
          ...(input.context || input.toolCalls?.length ? { context: withToolResults(input.context, input.toolCalls) } : {}),
        };
        const results = await Promise.all(
          selected.map((check) =>
            check.run(checkInput, { signal }).catch(
              (error: unknown): CheckResult => ({ name: check.name, passed: false, detail: `unsure: ${error instanceof Error ? error.message : String(error)}` }),
            ),
          ),
        );
        return [...results, ...missing];
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
        handle: async (request: JudgeRequest, context) => {
          callerSignals.set(request, context.signal);
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

/** The node's context plus what each tool call returned, so checks read the same evidence the model did. */
function withToolResults(context: string | undefined, toolCalls: JudgeRequest['toolCalls']): string {
  const results = (toolCalls ?? []).map((call) => `Tool ${call.name}(${JSON.stringify(call.arguments)}) ${call.isError ? 'failed' : 'returned'}: ${call.result}`);
  return [context ?? '', ...results].filter(Boolean).join('\n\n');
}
