import { ErrorCode, type ErrorReply, type JudgeRequest, type NodeCall, type PipelineNode, type Verdict, type WorkerResult } from '@troupe/protocol';
import type { NodeState } from './node-state.js';

/**
 * A cascade node's lifecycle, as plain transitions the planner machine applies:
 *
 * | event                          | next                                                                  |
 * | ------------------------------ | --------------------------------------------------------------------- |
 * | dispatch step s                | run step s's model; with a `consensus` gate, each peer model too      |
 * | answer (and every peer) back   | gated: judge with the peers' answers; ungated: accepted as it is      |
 * | verdict pass                   | succeeded                                                             |
 * | verdict not pass, a next step  | escalate: pending at step s + 1 (the planner dispatches it)           |
 * | verdict not pass, last step    | `escalate` asks a human; anything else fails the node                 |
 * | answer errors, a next step     | escalate; a peer that errors counts as disagreeing                    |
 *
 * Every call is charged to the node and listed in `calls`. Each call gets its own attempt number,
 * so the worker's idempotency key and ledger treat the peer and the answer as different calls.
 */

/** Extra judge-request fields a cascade gate adds to the node's judge call. */
export type GateFields = Pick<JudgeRequest, 'peers' | 'minConfidence' | 'canEscalate' | 'confidence' | 'metadata'>;

/** One child actor the planner should start. */
export type CascadeSpawn =
  | { src: 'runNode'; id: string; node: PipelineNode; attempt: number }
  | { src: 'judgeNode'; id: string; node: PipelineNode; attempt: number; result: WorkerResult; gate: GateFields }
  | { src: 'askHuman'; id: string; result: WorkerResult; verdict: Verdict };

/** What the planner applies: the node's new state, children to start, and a task failure if any. */
export interface CascadePlan {
  state: NodeState;
  spawns: CascadeSpawn[];
  failure?: ErrorReply;
}

const stepOf = (node: PipelineNode, state: NodeState) => node.cascade?.[state.step ?? 0];
const peerModels = (node: PipelineNode, state: NodeState): string[] => {
  const gate = stepOf(node, state)?.gate;
  return gate?.checks.includes('consensus') ? (gate.consensusModels ?? []) : [];
};
const pinned = (node: PipelineNode, model: string): PipelineNode => ({ ...node, model, cascade: undefined });

/**
 * Starts the node's current step: the answer (attempt A), plus one call per consensus peer
 * (A + 1 + i). The node's `attempt` becomes the step's last call number, so a persisted record
 * covers every call in flight, and the children are named by it.
 */
export function dispatchCascade(node: PipelineNode, state: NodeState): CascadePlan {
  const step = stepOf(node, state);
  if (!step) throw new Error(`node "${node.id}" has no cascade step ${state.step ?? 0}`);
  const peers = peerModels(node, state);
  const first = state.attempt;
  const last = first + peers.length;
  const spawns: CascadeSpawn[] = [{ src: 'runNode', id: `run|${node.id}|${last}`, node: pinned(node, step.model), attempt: first }];
  peers.forEach((model, index) => spawns.push({ src: 'runNode', id: `peer|${node.id}|${last}|${index}`, node: pinned(node, model), attempt: first + 1 + index }));
  return { state: { ...state, attempt: last, step: state.step ?? 0, peers: [], awaitingPeers: peers.length, calls: state.calls ?? [] }, spawns };
}

const call = (state: NodeState, attempt: number, role: NodeCall['role'], result: WorkerResult): NodeCall => ({
  attempt,
  ...(state.step !== undefined ? { step: state.step } : {}),
  model: result.model,
  role,
  costUsd: result.costUsd,
});

const charged = (state: NodeState, result: WorkerResult): Pick<NodeState, 'costUsd' | 'usage'> => ({
  costUsd: state.costUsd + result.costUsd,
  usage: {
    inputTokens: state.usage.inputTokens + result.usage.inputTokens,
    outputTokens: state.usage.outputTokens + result.usage.outputTokens,
    cachedInputTokens: state.usage.cachedInputTokens + (result.usage.cachedInputTokens ?? 0),
  },
});

/** The answer or a peer came back; once all are in, judge (gated) or accept (ungated). */
export function cascadeRunDone(node: PipelineNode, state: NodeState, kind: 'run' | 'peer', result: WorkerResult): CascadePlan {
  let next: NodeState = { ...state, ...charged(state, result), calls: [...(state.calls ?? []), call(state, result.attempt, kind === 'run' ? 'answer' : 'consensus', result)] };
  if (kind === 'run') next = { ...next, result, triedModels: [...state.triedModels, result.model] };
  else next = { ...next, peers: [...(state.peers ?? []), { model: result.model, output: result.output }], awaitingPeers: Math.max(0, (state.awaitingPeers ?? 1) - 1) };
  return settle(node, next);
}

/** A peer that failed counts as disagreeing; an answer that failed escalates (or fails the node on the last step). */
export function cascadeRunFailed(node: PipelineNode, state: NodeState, kind: 'run' | 'peer', error: ErrorReply): CascadePlan {
  if (kind === 'peer') return settle(node, { ...state, awaitingPeers: Math.max(0, (state.awaitingPeers ?? 1) - 1) });
  if (hasNextStep(node, state)) return escalate(node, state);
  return fail(node, { ...state, error }, error);
}

function settle(node: PipelineNode, state: NodeState): CascadePlan {
  if (!state.result || (state.awaitingPeers ?? 0) > 0) return { state, spawns: [] };
  const step = stepOf(node, state);
  if (!step?.gate) return { state: { ...state, status: 'succeeded' }, spawns: [] };
  const gate: GateFields = {
    ...(state.peers && state.peers.length > 0 ? { peers: state.peers } : {}),
    ...(step.gate.minConfidence !== undefined ? { minConfidence: step.gate.minConfidence } : {}),
    ...(state.result.confidence !== undefined ? { confidence: state.result.confidence } : {}),
    ...(state.result.metadata ? { metadata: state.result.metadata } : {}),
    canEscalate: hasNextStep(node, state),
  };
  // One judgement per step: a gate decides pass or escalate, so the judge is told no retry is left.
  const judged: PipelineNode = { ...node, checks: step.gate.checks, maxAttempts: state.attempt };
  return {
    state: { ...state, status: 'judging' },
    spawns: [{ src: 'judgeNode', id: `judge|${node.id}|${state.attempt}`, node: judged, attempt: state.attempt, result: state.result, gate }],
  };
}

/** The gate's verdict on the current step. */
export function cascadeVerdict(node: PipelineNode, state: NodeState, verdict: Verdict): CascadePlan {
  const calls = (state.calls ?? []).map((entry) =>
    entry.role === 'answer' && entry.step === state.step ? { ...entry, decision: verdict.decision, ...(verdict.score !== undefined ? { score: verdict.score } : {}) } : entry,
  );
  const judged = { ...state, calls, verdict };
  if (verdict.decision === 'pass') return { state: { ...judged, status: 'succeeded' }, spawns: [] };
  if (hasNextStep(node, state)) return escalate(node, judged);
  if (verdict.decision === 'escalate' && state.result) {
    return { state: judged, spawns: [{ src: 'askHuman', id: `human|${node.id}|${state.attempt}`, result: state.result, verdict }] };
  }
  const error: ErrorReply = {
    code: ErrorCode.NODE_FAILED,
    message: `node "${node.id}" failed the last cascade step: ${verdict.reasons.join('; ') || verdict.decision}`,
    retryable: false,
  };
  return fail(node, { ...judged, error }, error);
}

function hasNextStep(node: PipelineNode, state: NodeState): boolean {
  return (state.step ?? 0) + 1 < (node.cascade?.length ?? 0);
}

function escalate(node: PipelineNode, state: NodeState): CascadePlan {
  return {
    state: { ...state, status: 'pending', step: (state.step ?? 0) + 1, attempt: state.attempt + 1, peers: [], awaitingPeers: 0, judgeErrors: 0, feedback: [] },
    spawns: [],
  };
}

function fail(_node: PipelineNode, state: NodeState, error: ErrorReply): CascadePlan {
  return { state: { ...state, status: 'failed' }, spawns: [], failure: error };
}
