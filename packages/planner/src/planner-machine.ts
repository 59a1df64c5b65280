import { assign, enqueueActions, fromPromise, setup, type ActorRefFrom } from 'xstate';
import {
  ErrorCode,
  errorReplyOf,
  type ErrorReply,
  type PipelineDefinition,
  type PipelineNode,
  type ProgressEvent,
  type TaskResult,
  type TaskSubmission,
  type Verdict,
  type WorkerResult,
} from '@troupe/protocol';
import { initialNodeState, isTerminal, nodeInput, readiness, taskOutput, type NodeState } from './node-state.js';
import { buildTaskResult } from './task-result.js';
import { cascadeRunDone, cascadeRunFailed, cascadeVerdict, dispatchCascade, type CascadePlan, type GateFields } from './cascade-node.js';

/** A submission whose id has been assigned. */
export type PlannedTask = TaskSubmission & { id: string };

export interface PlannerInput {
  task: PlannedTask;
  pipeline: PipelineDefinition;
  startedAt: number;
  /** Node states from a previous replica, for resuming a task mid-DAG. */
  nodes?: Record<string, NodeState>;
}

export interface RunNodeInput {
  task: PlannedTask;
  node: PipelineNode;
  attempt: number;
  input: unknown;
  feedback: string[];
  /** Models that already failed this node; a reroute must pick another. */
  excludeModels: string[];
}

export interface JudgeNodeInput {
  task: PlannedTask;
  node: PipelineNode;
  attempt: number;
  input: unknown;
  result: WorkerResult;
  /** A cascade gate's extra judge fields: consensus peers, confidence threshold, whether escalation is possible. */
  gate?: GateFields;
}

export interface HumanReviewInput {
  task: PlannedTask;
  node: PipelineNode;
  result: WorkerResult;
  verdict: Verdict;
}

export interface HumanDecision {
  approved: boolean;
  reasons: string[];
}

interface PlannerContext {
  task: PlannedTask;
  pipeline: PipelineDefinition;
  nodes: Record<string, NodeState>;
  startedAt: number;
  failure?: ErrorReply;
}

/** Extra reroutes allowed on top of a node's `maxAttempts`, so escalation up a cascade has room. */
const MAX_REROUTES = 2;
const MAX_JUDGE_ERRORS = 2;

/** Child actors are named `<kind>|<nodeId>|<attempt>` so their done/error events can be routed. */
const childId = (kind: 'run' | 'judge' | 'human' | 'peer', nodeId: string, attempt: number) => `${kind}|${nodeId}|${attempt}`;
function parseChildId(actorId: string) {
  const [kind, nodeId, attempt] = actorId.split('|');
  return { kind, nodeId: nodeId ?? '', attempt: Number(attempt) };
}

const unprovided = (name: string) =>
  fromPromise<never, unknown>(async () => {
    throw new Error(`planner actor "${name}" was not provided`);
  });

/**
 * The planner: a pure machine. Side effects (running a node on a worker, asking the judge, asking
 * a human) are child actors injected with `.provide({ actors })`; progress is `emit`ted.
 */
export const plannerMachine = setup({
  types: {
    input: {} as PlannerInput,
    context: {} as PlannerContext,
    output: {} as TaskResult,
    emitted: {} as { type: 'progress'; event: ProgressEvent },
    events: {} as
      | { type: `xstate.done.actor.${string}`; output: unknown; actorId: string }
      | { type: `xstate.error.actor.${string}`; error: unknown; actorId: string }
      | { type: 'task.cancel'; reason: string },
  },
  actors: {
    runNode: unprovided('runNode') as unknown as ReturnType<typeof fromPromise<WorkerResult, RunNodeInput>>,
    judgeNode: unprovided('judgeNode') as unknown as ReturnType<typeof fromPromise<Verdict, JudgeNodeInput>>,
    askHuman: unprovided('askHuman') as unknown as ReturnType<typeof fromPromise<HumanDecision, HumanReviewInput>>,
  },
  delays: {
    deadline: ({ context }) => Math.max(0, (context.task.deadlineMs ?? 2_147_000_000) - (Date.now() - context.startedAt)),
  },
  guards: {
    allTerminal: ({ context }) => Object.values(context.nodes).every(isTerminal),
    hasFailure: ({ context }) => context.failure !== undefined,
  },
  actions: {
    dispatchReady: enqueueActions(({ context, enqueue }) => {
      // Skipping can make further nodes ready or skippable, so iterate to a fixed point.
      const nodes = { ...context.nodes };
      let changed = true;
      const toRun: PipelineNode[] = [];
      while (changed) {
        changed = false;
        for (const node of context.pipeline.nodes) {
          const state = nodes[node.id]!;
          if (state.status !== 'pending') continue;
          const verdict = readiness(node, nodes);
          if (verdict === 'skip') {
            nodes[node.id] = { ...state, status: 'skipped' };
            changed = true;
          } else if (verdict === 'run') {
            nodes[node.id] = { ...state, status: 'running', attempt: Math.max(1, state.attempt) };
            toRun.push(node);
          }
        }
      }
      enqueue.assign({ nodes });
      for (const node of toRun) {
        const state = nodes[node.id]!;
        if (node.cascade) {
          applyCascade(enqueue, context, nodes, node, dispatchCascade(node, state));
          continue;
        }
        enqueue.spawnChild('runNode', {
          id: childId('run', node.id, state.attempt),
          input: {
            task: context.task,
            node,
            attempt: state.attempt,
            input: nodeInput(node, context.task.input, nodes),
            feedback: state.feedback,
            excludeModels: state.triedModels,
          },
        });
        enqueue.emit({ type: 'progress', event: { type: 'node.started', taskId: context.task.id, at: Date.now(), nodeId: node.id, attempt: state.attempt } });
      }
    }),
    resumeInFlight: enqueueActions(({ context, enqueue }) => {
      // A resumed task re-runs nodes that were in flight at the same attempt: results are idempotent by (task, node, attempt).
      const nodes = { ...context.nodes };
      for (const [id, state] of Object.entries(nodes)) {
        if (state.status === 'running' || state.status === 'judging') nodes[id] = { ...state, status: 'pending' };
      }
      enqueue.assign({ nodes });
    }),
    onChildDone: enqueueActions(({ context, event, enqueue }) => {
      if (!('actorId' in event) || !('output' in event)) return;
      const { kind, nodeId, attempt } = parseChildId(event.actorId);
      const node = context.pipeline.nodes.find((candidate) => candidate.id === nodeId);
      const state = context.nodes[nodeId];
      if (!node || !state || state.attempt !== attempt) return; // a late answer from an old attempt
      if (node.cascade && kind !== 'human') {
        if ((kind === 'run' || kind === 'peer') && state.status === 'running') applyCascade(enqueue, context, context.nodes, node, cascadeRunDone(node, state, kind, event.output as WorkerResult));
        if (kind === 'judge' && state.status === 'judging') applyCascade(enqueue, context, context.nodes, node, cascadeVerdict(node, state, event.output as Verdict));
        return;
      }
      const now = Date.now();
      const taskId = context.task.id;
      if (kind === 'run' && state.status === 'running') {
        const result = event.output as WorkerResult;
        const usage = {
          inputTokens: state.usage.inputTokens + result.usage.inputTokens,
          outputTokens: state.usage.outputTokens + result.usage.outputTokens,
          cachedInputTokens: state.usage.cachedInputTokens + (result.usage.cachedInputTokens ?? 0),
        };
        enqueue.assign({
          nodes: {
            ...context.nodes,
            [nodeId]: { ...state, status: 'judging', result, costUsd: state.costUsd + result.costUsd, usage, triedModels: [...state.triedModels, result.model] },
          },
        });
        enqueue.emit({
          type: 'progress',
          event: { type: 'node.completed', taskId, at: now, nodeId, attempt, model: result.model, usage: result.usage, costUsd: result.costUsd, metrics: result.metrics },
        });
        enqueue.spawnChild('judgeNode', {
          id: childId('judge', nodeId, attempt),
          input: { task: context.task, node, attempt, input: nodeInput(node, context.task.input, context.nodes), result },
        });
        return;
      }
      if (kind === 'judge' && state.status === 'judging' && state.result) {
        const verdict = event.output as Verdict;
        enqueue.emit({
          type: 'progress',
          event: { type: 'verdict.ready', taskId, at: now, nodeId, attempt, decision: verdict.decision, reasons: verdict.reasons },
        });
        if (verdict.decision === 'escalate') {
          enqueue.assign({ nodes: { ...context.nodes, [nodeId]: { ...state, verdict } } });
          enqueue.spawnChild('askHuman', { id: childId('human', nodeId, attempt), input: { task: context.task, node, result: state.result, verdict } });
          return;
        }
        enqueue.assign(afterVerdict(context, node, state, verdict));
        return;
      }
      if (kind === 'human' && state.status === 'judging' && state.verdict) {
        const decision = event.output as { approved: boolean; reasons: string[] };
        const verdict: Verdict = {
          ...state.verdict,
          decision: decision.approved ? 'pass' : 'fail',
          reasons: [...state.verdict.reasons, ...decision.reasons.map((reason) => `human: ${reason}`)],
        };
        enqueue.assign(afterVerdict(context, node, state, verdict));
      }
    }),
    onChildError: enqueueActions(({ context, event, enqueue }) => {
      if (!('actorId' in event) || !('error' in event)) return;
      const { kind, nodeId, attempt } = parseChildId(event.actorId);
      const node = context.pipeline.nodes.find((candidate) => candidate.id === nodeId);
      const state = context.nodes[nodeId];
      if (!node || !state || state.attempt !== attempt) return;
      const error = errorReplyOf(event.error);
      if (node.cascade && (kind === 'run' || kind === 'peer') && state.status === 'running') {
        applyCascade(enqueue, context, context.nodes, node, cascadeRunFailed(node, state, kind, error));
        return;
      }
      if (node.cascade && kind === 'judge' && state.status === 'judging') {
        // A judge that errored is unsure, never a pass: the gate escalates.
        const unsure: Verdict = { taskId: context.task.id, nodeId, attempt, decision: 'reroute', reasons: [`judge: unsure: ${error.message}`], checks: [] };
        applyCascade(enqueue, context, context.nodes, node, cascadeVerdict(node, state, unsure));
        return;
      }
      if (kind === 'judge' && state.result && state.judgeErrors + 1 < MAX_JUDGE_ERRORS && error.retryable) {
        // A judge that errored is unsure, never a pass: ask again before giving up on the node.
        enqueue.assign({ nodes: { ...context.nodes, [nodeId]: { ...state, judgeErrors: state.judgeErrors + 1 } } });
        enqueue.spawnChild('judgeNode', {
          id: childId('judge', nodeId, attempt) + `|${state.judgeErrors + 1}`,
          input: { task: context.task, node, attempt, input: nodeInput(node, context.task.input, context.nodes), result: state.result },
        });
        return;
      }
      if (kind === 'run' && error.retryable && attempt < node.maxAttempts) {
        enqueue.assign({ nodes: { ...context.nodes, [nodeId]: { ...state, status: 'pending', attempt: attempt + 1, feedback: [] } } });
        return;
      }
      enqueue.emit({ type: 'progress', event: { type: 'node.failed', taskId: context.task.id, at: Date.now(), nodeId, error } });
      enqueue.assign({
        nodes: { ...context.nodes, [nodeId]: { ...state, status: 'failed', error } },
        failure: context.failure ?? { ...error, message: `node "${nodeId}" failed: ${error.message}` },
      });
    }),
    emitFinal: enqueueActions(({ context, enqueue }) => {
      const result = buildTaskResult(context);
      enqueue.emit({
        type: 'progress',
        event:
          result.status === 'completed'
            ? { type: 'task.completed', taskId: context.task.id, at: Date.now(), costUsd: result.costUsd, latencyMs: result.latencyMs }
            : { type: 'task.failed', taskId: context.task.id, at: Date.now(), error: result.error! },
      });
    }),
  },
}).createMachine({
  id: 'planner',
  context: ({ input }) => ({
    task: input.task,
    pipeline: input.pipeline,
    startedAt: input.startedAt,
    nodes: Object.fromEntries(input.pipeline.nodes.map((node) => [node.id, input.nodes?.[node.id] ?? initialNodeState()])),
  }),
  initial: 'running',
  states: {
    running: {
      entry: ['resumeInFlight', 'dispatchReady'],
      after: {
        deadline: {
          target: 'failed',
          actions: assign({
            failure: ({ context }) => ({ code: ErrorCode.TIMEOUT, message: `task exceeded its deadline of ${context.task.deadlineMs} ms`, retryable: true }),
          }),
        },
      },
      on: {
        'xstate.done.actor.*': { actions: ['onChildDone', 'dispatchReady'] },
        'xstate.error.actor.*': { actions: ['onChildError', 'dispatchReady'] },
        'task.cancel': {
          target: 'failed',
          actions: assign({ failure: ({ event }) => ({ code: ErrorCode.CANCELLED, message: event.reason, retryable: false }) }),
        },
      },
      always: [
        { guard: 'hasFailure', target: 'failed' },
        { guard: 'allTerminal', target: 'completed' },
      ],
    },
    completed: { type: 'final', entry: 'emitFinal' },
    failed: { type: 'final', entry: 'emitFinal' },
  },
  output: ({ context }) => buildTaskResult(context),
});

export type PlannerActor = ActorRefFrom<typeof plannerMachine>;

/** Applies a cascade transition: the node's new state, its children, and a task failure if any. */
// XState's enqueue type is not exported in a usable form, hence `any`.
function applyCascade(enqueue: any, context: PlannerContext, nodes: Record<string, NodeState>, node: PipelineNode, plan: CascadePlan): void {
  enqueue.assign({ nodes: { ...nodes, [node.id]: plan.state }, ...(plan.failure ? { failure: context.failure ?? plan.failure } : {}) });
  const input = nodeInput(node, context.task.input, nodes);
  for (const spawn of plan.spawns) {
    if (spawn.src === 'runNode') {
      enqueue.spawnChild('runNode', { id: spawn.id, input: { task: context.task, node: spawn.node, attempt: spawn.attempt, input, feedback: [], excludeModels: [] } });
      enqueue.emit({ type: 'progress', event: { type: 'node.started', taskId: context.task.id, at: Date.now(), nodeId: node.id, attempt: spawn.attempt } });
    } else if (spawn.src === 'judgeNode') {
      enqueue.spawnChild('judgeNode', { id: spawn.id, input: { task: context.task, node: spawn.node, attempt: spawn.attempt, input, result: spawn.result, gate: spawn.gate } });
    } else {
      enqueue.spawnChild('askHuman', { id: spawn.id, input: { task: context.task, node, result: spawn.result, verdict: spawn.verdict } });
    }
  }
}

/** Applies a judge verdict to a node: succeed, retry, reroute, or fail (bounded). */
function afterVerdict(context: PlannerContext, node: PipelineNode, state: NodeState, verdict: Verdict): Partial<PlannerContext> {
  const nodes = { ...context.nodes };
  const retryBudget = verdict.decision === 'reroute' ? node.maxAttempts + MAX_REROUTES : node.maxAttempts;
  if (verdict.decision === 'pass') {
    nodes[node.id] = { ...state, status: 'succeeded', verdict };
    return { nodes };
  }
  if ((verdict.decision === 'retry' || verdict.decision === 'reroute') && state.attempt < retryBudget) {
    const triedModels = verdict.decision === 'retry' ? state.triedModels.slice(0, -1) : state.triedModels;
    nodes[node.id] = { ...state, status: 'pending', attempt: state.attempt + 1, verdict, feedback: verdict.reasons, triedModels, judgeErrors: 0 };
    return { nodes };
  }
  const error: ErrorReply = {
    code: ErrorCode.NODE_FAILED,
    message: `node "${node.id}" failed verification after ${state.attempt} attempt(s): ${verdict.reasons.join('; ') || verdict.decision}`,
    retryable: false,
  };
  nodes[node.id] = { ...state, status: 'failed', verdict, error };
  return { nodes, failure: context.failure ?? error };
}


export { taskOutput };
