import type { ErrorReply, NodeCall, NodeStatus, PipelineDefinition, PipelineNode, TokenUsage, Verdict, WorkerResult } from '@troupe/protocol';

/**
 * The planner's record of one node. Plain data on purpose: it is what gets persisted after every
 * transition, so another planner replica can resume the DAG without re-running finished nodes.
 */
export interface NodeState {
  status: NodeStatus;
  attempt: number;
  /** Models already tried; a reroute asks the router for a model not in this list. */
  triedModels: string[];
  /** The judge's reasons from the last failed attempt, passed to the retry. */
  feedback: string[];
  judgeErrors: number;
  result?: WorkerResult;
  verdict?: Verdict;
  error?: ErrorReply;
  /** Every attempt is charged, including the ones the judge rejected. */
  costUsd: number;
  usage: TokenUsage;
  /** Cascade step now running (0-based); absent for nodes without a cascade. */
  step?: number;
  /** Every model call made for this node, in order (answers and consensus peers). */
  calls?: NodeCall[];
  /** Consensus peers' answers for the current cascade step, and how many are still running. */
  peers?: Array<{ model: string; output: unknown }>;
  awaitingPeers?: number;
}

export function initialNodeState(): NodeState {
  return {
    status: 'pending',
    attempt: 0,
    triedModels: [],
    feedback: [],
    judgeErrors: 0,
    costUsd: 0,
    usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 },
  };
}

const TERMINAL: ReadonlySet<NodeStatus> = new Set(['succeeded', 'failed', 'skipped']);

export function isTerminal(state: NodeState): boolean {
  return TERMINAL.has(state.status);
}

/** What a pending node should do now: wait for parents, run, or be skipped. */
export function readiness(node: PipelineNode, nodes: Record<string, NodeState>): 'wait' | 'run' | 'skip' {
  const parents = node.dependsOn.map((id) => nodes[id]);
  if (parents.some((parent) => !parent || !isTerminal(parent))) return 'wait';
  if (parents.some((parent) => parent?.status === 'failed')) return 'wait';
  if (parents.length > 0 && parents.every((parent) => parent?.status === 'skipped')) return 'skip';
  if (node.when) {
    const parentOutput = nodes[node.when.node]?.result?.output;
    const value = readField(parentOutput, node.when.field);
    if (nodes[node.when.node]?.status !== 'succeeded' || !isEqual(value, node.when.equals)) return 'skip';
  }
  return 'run';
}

/** The input a node receives: the task input plus each finished parent's output. */
export function nodeInput(node: PipelineNode, taskInput: unknown, nodes: Record<string, NodeState>): unknown {
  const from: Record<string, unknown> = {};
  for (const parent of node.dependsOn) {
    if (nodes[parent]?.status === 'succeeded') from[parent] = nodes[parent]?.result?.output;
  }
  return { task: taskInput, from };
}

/** The task's output: the designated output node, else the last node that succeeded. */
export function taskOutput(pipeline: PipelineDefinition, nodes: Record<string, NodeState>): unknown {
  if (pipeline.output && nodes[pipeline.output]?.status === 'succeeded') return nodes[pipeline.output]?.result?.output;
  for (const node of [...pipeline.nodes].reverse()) {
    if (nodes[node.id]?.status === 'succeeded') return nodes[node.id]?.result?.output;
  }
  return undefined;
}

function readField(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function isEqual(left: unknown, right: unknown): boolean {
  return left === right || JSON.stringify(left) === JSON.stringify(right);
}
