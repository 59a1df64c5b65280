import type { CheckResult, Verdict, VerdictDecision } from '@troupe/protocol';

/** One verdict as kept for reporting on the judge itself. */
export interface VerdictRecord {
  /** `taskId/nodeId/attempt`: the output that was judged. Ground-truth labels use the same key. */
  key: string;
  taskId: string;
  nodeId: string;
  attempt: number;
  decision: VerdictDecision;
  score?: number;
  reasons: readonly string[];
  checks: readonly CheckResult[];
  /** ISO 8601. */
  recordedAt: string;
  skill?: string;
  /** The model whose output was judged. */
  model?: string;
}

/** Where records go. Append-only by design: there is no update and no delete. */
export interface VerdictStore {
  append(record: VerdictRecord): Promise<void>;
  list(): Promise<readonly VerdictRecord[]>;
}

/** Whether a judged output was in truth good (`pass`) or bad (`fail`), as labelled by a person or a dataset. */
export type GroundTruthLabel = 'pass' | 'fail';

/** How well the judge's rejections match the labels. A rate is null when its denominator is 0. */
export interface JudgeMetrics {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  /** Records that had a label. */
  labelled: number;
  /** Records without a label; they are left out of every count above. */
  unlabelled: number;
}

/** The key under which a verdict and its ground-truth label meet. */
export function verdictKey(verdict: Pick<Verdict, 'taskId' | 'nodeId' | 'attempt'>): string {
  return `${verdict.taskId}/${verdict.nodeId}/${verdict.attempt}`;
}

/** An in-memory store, for tests and short runs; records are frozen copies. */
export function createMemoryVerdictStore(): VerdictStore {
  const records: VerdictRecord[] = [];
  return {
    async append(record) {
      records.push(Object.freeze(structuredClone(record)));
    },
    async list() {
      return [...records];
    },
  };
}

/**
 * Appends a verdict to the store and returns the record written. The clock is injected (`now`) so
 * records are reproducible in tests.
 *
 * @example
 * const store = createMemoryVerdictStore();
 * await recordVerdict(store, verdict, { skill: 'summarise', model: 'smollm2-360m' });
 * const metrics = judgeMetrics(await store.list(), new Map([[verdictKey(verdict), 'fail']]));
 */
export async function recordVerdict(
  store: VerdictStore,
  verdict: Verdict,
  meta: { skill?: string; model?: string; now?: () => Date } = {},
): Promise<VerdictRecord> {
  const record: VerdictRecord = {
    key: verdictKey(verdict),
    taskId: verdict.taskId,
    nodeId: verdict.nodeId,
    attempt: verdict.attempt,
    decision: verdict.decision,
    reasons: [...verdict.reasons],
    checks: verdict.checks.map((check) => ({ ...check })),
    recordedAt: (meta.now?.() ?? new Date()).toISOString(),
    ...(verdict.score === undefined ? {} : { score: verdict.score }),
    ...(meta.skill === undefined ? {} : { skill: meta.skill }),
    ...(meta.model === undefined ? {} : { model: meta.model }),
  };
  await store.append(record);
  return record;
}

/**
 * Precision, recall and F1 of the judge's rejections against ground truth. The positive class is
 * "this output is bad": the judge predicts it with any decision in `rejecting` (by default every
 * decision but pass, since retry, reroute, escalate and fail all refuse the output as it is), and
 * the label says `fail`. When one output was judged more than once (a redelivered request), the
 * last record counts, so replays do not inflate the counts.
 */
export function judgeMetrics(
  records: readonly VerdictRecord[],
  groundTruth: ReadonlyMap<string, GroundTruthLabel>,
  options: { rejecting?: readonly VerdictDecision[] } = {},
): JudgeMetrics {
  const rejecting = new Set<VerdictDecision>(options.rejecting ?? ['fail', 'retry', 'reroute', 'escalate']);
  const latest = new Map<string, VerdictRecord>();
  for (const record of records) latest.set(record.key, record);
  const counts = { truePositives: 0, falsePositives: 0, falseNegatives: 0, trueNegatives: 0 };
  let unlabelled = 0;
  for (const record of latest.values()) {
    const label = groundTruth.get(record.key);
    if (label === undefined) {
      unlabelled += 1;
      continue;
    }
    const rejected = rejecting.has(record.decision);
    if (rejected && label === 'fail') counts.truePositives += 1;
    else if (rejected) counts.falsePositives += 1;
    else if (label === 'fail') counts.falseNegatives += 1;
    else counts.trueNegatives += 1;
  }
  const ratio = (numerator: number, denominator: number): number | null => (denominator === 0 ? null : numerator / denominator);
  const precision = ratio(counts.truePositives, counts.truePositives + counts.falsePositives);
  const recall = ratio(counts.truePositives, counts.truePositives + counts.falseNegatives);
  const f1 = precision === null || recall === null || precision + recall === 0 ? null : (2 * precision * recall) / (precision + recall);
  const labelled = counts.truePositives + counts.falsePositives + counts.falseNegatives + counts.trueNegatives;
  return { ...counts, precision, recall, f1, labelled, unlabelled };
}
