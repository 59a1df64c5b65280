import type { CheckResult } from '@troupe/protocol';

/** What every check sees: the node's output and what the node was asked and given. */
export interface CheckInput {
  skill: string;
  output: unknown;
  outputSchema?: Record<string, unknown>;
  /** The text the node was given; factuality is judged against it. */
  context?: string;
  instructions?: string;
  /** Other models' answers to the same subtask (the `consensus` check). */
  peers?: ReadonlyArray<{ model: string; output: unknown }>;
  /** The worker's reported confidence and metadata, and the gate's threshold (the `confidence` check). */
  confidence?: number;
  minConfidence?: number;
  metadata?: Readonly<Record<string, string | number | boolean>>;
}

/**
 * One verification step of the judge. A check that cannot decide returns `passed: false` with no
 * `score` and a detail that starts with "unsure:" — an unsure check never counts as a pass.
 */
export interface Check {
  readonly name: string;
  run(input: CheckInput, options?: { signal?: AbortSignal }): Promise<CheckResult>;
}
