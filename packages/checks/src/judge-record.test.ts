import { describe, expect, it } from 'vitest';
import type { Verdict, VerdictDecision } from '@troupe/protocol';
import { createMemoryVerdictStore, judgeMetrics, recordVerdict, verdictKey, type GroundTruthLabel } from './judge-record.js';

const verdict = (nodeId: string, decision: VerdictDecision, attempt = 1): Verdict => ({
  taskId: 't1',
  nodeId,
  attempt,
  decision,
  score: decision === 'pass' ? 1 : 0,
  reasons: decision === 'pass' ? [] : ['pii: found 1 (email)'],
  checks: [{ name: 'pii', passed: decision === 'pass', score: decision === 'pass' ? 1 : 0 }],
});

describe('judge record', () => {
  it('appends frozen copies with an injected clock and keeps them in order', async () => {
    const store = createMemoryVerdictStore();
    const original = verdict('a', 'retry');
    const record = await recordVerdict(store, original, { skill: 'summarise', model: 'smollm2', now: () => new Date('2025-01-02T03:04:05Z') });
    expect(record).toMatchObject({ key: 't1/a/1', decision: 'retry', skill: 'summarise', model: 'smollm2', recordedAt: '2025-01-02T03:04:05.000Z' });
    await recordVerdict(store, verdict('b', 'pass'));
    original.reasons.push('mutated after recording');
    const records = await store.list();
    expect(records.map((entry) => entry.key)).toEqual(['t1/a/1', 't1/b/1']);
    expect(records[0]?.reasons).toEqual(['pii: found 1 (email)']);
    expect(Object.isFrozen(records[0])).toBe(true);
  });

  it('computes precision, recall and F1 of rejections against labels', async () => {
    const store = createMemoryVerdictStore();
    // Judge: rejects a, b, c; passes d, e. Truth: a, b, d bad; c, e good. Unlabelled: f.
    for (const [node, decision] of [['a', 'fail'], ['b', 'retry'], ['c', 'escalate'], ['d', 'pass'], ['e', 'pass'], ['f', 'fail']] as const) {
      await recordVerdict(store, verdict(node, decision));
    }
    const truth = new Map<string, GroundTruthLabel>([
      ['t1/a/1', 'fail'],
      ['t1/b/1', 'fail'],
      ['t1/d/1', 'fail'],
      ['t1/c/1', 'pass'],
      ['t1/e/1', 'pass'],
    ]);
    const metrics = judgeMetrics(await store.list(), truth);
    expect(metrics).toMatchObject({ truePositives: 2, falsePositives: 1, falseNegatives: 1, trueNegatives: 1, labelled: 5, unlabelled: 1 });
    expect(metrics.precision).toBeCloseTo(2 / 3);
    expect(metrics.recall).toBeCloseTo(2 / 3);
    expect(metrics.f1).toBeCloseTo(2 / 3);
    // Counting only "fail" as a rejection changes the picture: a is the only positive.
    const strict = judgeMetrics(await store.list(), truth, { rejecting: ['fail'] });
    expect([strict.truePositives, strict.falsePositives, strict.falseNegatives, strict.precision, strict.recall]).toEqual([1, 0, 2, 1, 1 / 3]);
  });

  it('counts only the last record of a re-judged output, and reports undefined rates as null', async () => {
    const store = createMemoryVerdictStore();
    await recordVerdict(store, verdict('a', 'fail'));
    await recordVerdict(store, verdict('a', 'pass'));
    const metrics = judgeMetrics(await store.list(), new Map([[verdictKey({ taskId: 't1', nodeId: 'a', attempt: 1 }), 'pass']]));
    expect(metrics).toEqual({
      truePositives: 0,
      falsePositives: 0,
      falseNegatives: 0,
      trueNegatives: 1,
      precision: null,
      recall: null,
      f1: null,
      labelled: 1,
      unlabelled: 0,
    });
  });
});
