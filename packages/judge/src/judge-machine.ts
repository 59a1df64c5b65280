import { assign, fromPromise, setup } from 'xstate';
import { decideVerdict } from '@troupe/checks';
import type { CheckResult, JudgeRequest, Verdict, VerdictDecision } from '@troupe/protocol';

export interface VerdictPolicyInput {
  checks: CheckResult[];
  attempt: number;
  maxAttempts: number;
}

export type VerdictPolicy = (input: VerdictPolicyInput) => { decision: VerdictDecision; reasons: string[]; score?: number };

/**
 * Default policy: the one decision table of `@troupe/checks` (`decideVerdict`), with a stronger
 * model (or the next cascade step) assumed available, so an embedded judge and the judge service
 * decide the same output the same way.
 */
export const defaultVerdictPolicy: VerdictPolicy = ({ checks, attempt, maxAttempts }) => decideVerdict(checks, { attempt, maxAttempts, canReroute: true });

interface JudgeContext {
  request: JudgeRequest;
  checks: CheckResult[];
}

/** The judge: a pure machine; the checks run in the injected `runChecks` actor, the policy is injectable. */
export const judgeMachine = setup({
  types: {
    input: {} as { request: JudgeRequest; policy?: VerdictPolicy },
    context: {} as JudgeContext & { policy: VerdictPolicy },
    output: {} as Verdict,
  },
  actors: {
    runChecks: fromPromise<CheckResult[], JudgeRequest>(async () => {
      throw new Error('judge actor "runChecks" was not provided');
    }),
  },
}).createMachine({
  id: 'judge',
  context: ({ input }) => ({ request: input.request, checks: [], policy: input.policy ?? defaultVerdictPolicy }),
  initial: 'checking',
  states: {
    checking: {
      invoke: {
        src: 'runChecks',
        input: ({ context }) => context.request,
        onDone: { target: 'decided', actions: assign({ checks: ({ event }) => event.output }) },
        // A judge that errors is unsure, never a pass.
        onError: {
          target: 'decided',
          actions: assign({
            checks: ({ event }) => [
              { name: 'judge', passed: false, detail: `unsure: the checks failed to run: ${event.error instanceof Error ? event.error.message : String(event.error)}` },
            ],
          }),
        },
      },
    },
    decided: { type: 'final' },
  },
  output: ({ context }) => {
    const { request, checks } = context;
    const decided = context.policy({ checks, attempt: request.attempt, maxAttempts: request.maxAttempts });
    return { taskId: request.taskId, nodeId: request.nodeId, attempt: request.attempt, ...decided, checks };
  },
});
