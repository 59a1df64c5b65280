import type { SubtaskRequest, WorkerResult } from '@troupe/protocol';

/** Runs each (task, node, attempt) at most once across worker replicas and remembers its result. */
export interface NodeResultLedger {
  /** Returns the stored result of this attempt, or runs `execute` (at most once across replicas) and stores it. */
  runOnce(request: SubtaskRequest, execute: () => Promise<WorkerResult>, signal: AbortSignal): Promise<WorkerResult>;
}
