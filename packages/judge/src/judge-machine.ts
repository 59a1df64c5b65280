import { assign, fromPromise, setup } from 'xstate';
import type { CheckResult, JudgeRequest, Verdict, VerdictDecision } from '@troupe/protocol';

export interface VerdictPolicyInput {
  checks: CheckResult[];
  attempt: number;
  maxAttempts: number;
}

export type VerdictPolicy = (input: VerdictPolicyInput) => { decision: VerdictDecision; reasons: string[]; score?: number };

/**
 * Default policy: every check passed → pass; a definite failure → retry while attempts remain,
 * then reroute to a stronger model; an unsure check (no score) is never a pass → reroute.
 */
export const defaultVerdictPolicy: VerdictPolicy = ({ checks, attempt, maxAttempts }) => {
  const failed = checks.filter((check) => !check.passed);
  const scores = checks.map((check) => check.score).filter((score): score is number => score !== undefined);
  const score = scores.length > 0 ? Math.min(...scores) : undefined;
  if (failed.length === 0) return { decision: 'pass', reasons: [], ...(score !== undefined ? { score } : {}) };
  const reasons = failed.map((check) => `${check.name}: ${check.detail ?? 'failed'}`);
  const unsureOnly = failed.every((check) => check.score === undefined);
  const decision: VerdictDecision = unsureOnly ? 'reroute' : attempt < maxAttempts ? 'retry' : 'reroute';
  return { decision, reasons, ...(score !== undefined ? { score } : {}) };
};

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
