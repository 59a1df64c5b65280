import { assign, fromPromise, setup } from 'xstate';
import { ErrorCode, errorReplyOf, type ErrorReply, type SubtaskRequest, type WorkerResult } from '@troupe/protocol';

export type WorkerOutcome = { ok: true; result: WorkerResult } | { ok: false; error: ErrorReply };

interface WorkerContext {
  request: SubtaskRequest;
  outcome?: WorkerOutcome;
}

/**
 * The worker: one subtask, one model call. The call itself is the injected `generate` actor, which
 * receives an AbortSignal; leaving the `running` state (timeout or `subtask.cancel`) aborts it.
 */
export const workerMachine = setup({
  types: {
    input: {} as { request: SubtaskRequest },
    context: {} as WorkerContext,
    output: {} as WorkerOutcome,
    events: {} as { type: 'subtask.cancel'; reason: string },
  },
  actors: {
    generate: fromPromise<WorkerResult, SubtaskRequest>(async () => {
      throw new Error('worker actor "generate" was not provided');
    }),
  },
  delays: {
    timeout: ({ context }) => context.request.timeoutMs,
  },
}).createMachine({
  id: 'worker',
  context: ({ input }) => ({ request: input.request }),
  initial: 'running',
  states: {
    running: {
      invoke: {
        src: 'generate',
        input: ({ context }) => context.request,
        onDone: { target: 'done', actions: assign({ outcome: ({ event }) => ({ ok: true, result: event.output }) }) },
        onError: { target: 'done', actions: assign({ outcome: ({ event }) => ({ ok: false, error: errorReplyOf(event.error) }) }) },
      },
      after: {
        timeout: {
          target: 'done',
          actions: assign({
            outcome: ({ context }) => ({
              ok: false,
              error: { code: ErrorCode.TIMEOUT, message: `subtask "${context.request.nodeId}" timed out after ${context.request.timeoutMs} ms`, retryable: true },
            }),
          }),
        },
      },
      on: {
        'subtask.cancel': {
          target: 'done',
          actions: assign({ outcome: ({ event }) => ({ ok: false, error: { code: ErrorCode.CANCELLED, message: event.reason, retryable: false } }) }),
        },
      },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => context.outcome!,
});

