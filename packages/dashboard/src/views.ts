/**
 * What the dashboard shows, as plain JSON sent to the browser. Everything here is derived from
 * NATS traffic (progress events, task records, `$SRV` stats, dead letters); nothing is asked of a planner.
 */

/** Lifecycle of one node as the dashboard draws it. */
export type NodeViewStatus = 'pending' | 'running' | 'judging' | 'succeeded' | 'failed' | 'skipped';

/** One node of a task's DAG. */
export interface NodeView {
  id: string;
  skill: string;
  dependsOn: string[];
  status: NodeViewStatus;
  /** The model of the latest attempt. */
  model?: string;
  /** Every model tried, in order; a step to a new model is a cascade escalation or reroute. */
  models: string[];
  attempts: number;
  escalations: number;
  tokensIn: number;
  tokensOut: number;
  cachedTokens: number;
  cacheHits: number;
  costUsd: number;
  latencyMs?: number;
  verdict?: string;
  reasons: string[];
  error?: string;
}

/** One task in the live list, with its DAG. */
export interface TaskView {
  id: string;
  tenant: string;
  pipeline: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  startedAt: number;
  updatedAt: number;
  finishedAt?: number;
  costUsd: number;
  /** What every node would have cost on the reference model (cost + savings), when known. */
  referenceCostUsd?: number;
  savingsUsd?: number;
  latencyMs?: number;
  /** `pass` when every run node passed the judge, else the first other decision or the error code. */
  verdict?: string;
  traceId?: string;
  error?: string;
  loading?: { model: string; progress: number };
  nodes: NodeView[];
}

/** One replica of a Troupe service, from `$SRV.INFO` and `$SRV.STATS`. */
export interface ServiceView {
  name: string;
  id: string;
  version: string;
  started?: string;
  endpoints: Array<{ name: string; subject: string; requests: number; errors: number; lastError?: string; p50Ms?: number }>;
  inFlight: number;
  tokensPerSecond?: number;
  loadedModels: string[];
  models: string[];
  seenAt: number;
}

/** A task the durable queue gave up on, with the reason. */
export interface DeadLetterView {
  tenant: string;
  taskId: string;
  code: string;
  reason: string;
  deliveries: number;
  deadAt: number;
}

/** Aggregates over the tasks in view. */
export interface EconomicsView {
  /** Finished tasks over time: actual cost against the all-reference-model cost. */
  costSeries: Array<{ at: number; taskId: string; costUsd: number; referenceCostUsd?: number }>;
  totalCostUsd: number;
  totalReferenceCostUsd?: number;
  callsByModel: Array<{ model: string; tier: string; calls: number }>;
  callsByTier: Array<{ tier: string; calls: number }>;
  passRates: Array<{ skill: string; model: string; passed: number; judged: number }>;
  /** The latest model the router sent each skill to, as seen in `node.started`. */
  routerChoices: Array<{ skill: string; model: string; at: number }>;
}

/** Everything one viewer may see; `tenant` is set for tenant-scoped viewers. */
export interface DashboardSnapshot {
  generatedAt: number;
  tenant?: string;
  tasks: TaskView[];
  economics: EconomicsView;
  services?: ServiceView[];
  deadLetters: DeadLetterView[];
  traceUrl?: string;
  feed: { events: boolean; records: boolean; deadLetters: boolean; services: boolean };
}
