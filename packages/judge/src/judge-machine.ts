import { assign, fromPromise, setup } from 'xstate';
import type { CheckResult, JudgeRequest, Verdict, VerdictDecision } from '@troupe/protocol';

export interface VerdictPolicyInput {
  checks: CheckResult[];
  attempt: number;
  maxAttempts: number;
}

export type VerdictPolicy = (input: VerdictPolicyInput) => { decision: VerdictDecision; reasons: string[]; score?: number };

interface JudgeContext {
  request: JudgeRequest;
  checks: CheckResult[];
}

/** The judge: a pure machine; the checks run in the injected `runChecks` actor, the verdict policy comes with each request (the host supplies the one table, `decideVerdict`). */
export const judgeMachine = setup({
  types: {
    input: {} as { request: JudgeRequest; policy: VerdictPolicy },
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
  context: ({ input }) => ({ request: input.request, checks: [], policy: input.policy }),
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
