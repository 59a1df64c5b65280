import { describe, expect, it } from 'vitest';
import type { CheckResult } from '@troupe/protocol';
import { decideVerdict, isUnsure, type VerdictContext } from './verdict-policy.js';

const pass = (name: string, score = 1): CheckResult => ({ name, passed: true, score });
const fail = (name: string, detail: string, score = 0): CheckResult => ({ name, passed: false, score, detail });
const unsure = (name: string): CheckResult => ({ name, passed: false, detail: `unsure: ${name} could not decide` });

const firstTry: VerdictContext = { attempt: 1, maxAttempts: 3, canReroute: true, humanReview: true };
const lastTry = (overrides: Partial<VerdictContext> = {}): VerdictContext => ({ ...firstTry, attempt: 3, ...overrides });

describe('decideVerdict', () => {
  it('passes when every check passes, scoring the mean', () => {
    expect(decideVerdict([pass('schema'), pass('rubric', 0.8)], firstTry)).toEqual({ decision: 'pass', reasons: [], score: 0.9 });
  });

  it('retries a hard failure while attempts remain, scoring 0 and listing hard failures first', () => {
    const outcome = decideVerdict([pass('rubric', 0.95), fail('factuality', '1/2 facts', 0.5), fail('pii', 'found 1 (email)')], firstTry);
    expect(outcome).toEqual({
      decision: 'retry',
      reasons: ['pii: found 1 (email)', 'factuality: 1/2 facts', 'attempt 1 of 3 failed: retrying'],
      score: 0,
    });
  });

  it.each([
    ['reroute', lastTry(), 'attempt 3 of 3 failed, none left: rerouting to a stronger model'],
    ['escalate', lastTry({ canReroute: false }), 'attempt 3 of 3 failed, none left: escalating to human review'],
    ['fail', lastTry({ canReroute: false, humanReview: false }), 'attempt 3 of 3 failed, none left: no stronger model and no human review'],
  ] as const)('after the last attempt a failure goes to %s', (decision, context, reason) => {
    const outcome = decideVerdict([fail('schema', '/name must be string')], context);
    expect(outcome).toEqual({ decision, reasons: ['schema: /name must be string', reason], score: 0 });
  });

  it('treats a soft failure like a hard one for the decision, but keeps its score', () => {
    const outcome = decideVerdict([pass('schema'), fail('rubric', 'judged by fake/local: score 0.2 < 0.7', 0.2)], firstTry);
    expect(outcome.decision).toBe('retry');
    expect(outcome.score).toBeCloseTo(0.6);
  });

  it('never passes or retries when checks are unsure: reroute, escalate, else fail', () => {
    const checks = [pass('schema'), unsure('rubric')];
    expect(decideVerdict(checks, firstTry)).toEqual({
      decision: 'reroute',
      reasons: ['rubric: unsure: rubric could not decide', 'the checks could not decide: rerouting to a stronger model'],
      score: 1,
    });
    expect(decideVerdict(checks, { ...firstTry, canReroute: false }).decision).toBe('escalate');
    expect(decideVerdict(checks, { ...firstTry, canReroute: false, humanReview: false }).decision).toBe('fail');
  });

  it('lets a failure outweigh unsure checks', () => {
    const outcome = decideVerdict([unsure('rubric'), fail('policy', 'forbidden at $: no guarantees')], firstTry);
    expect(outcome.decision).toBe('retry');
    expect(outcome.reasons.slice(0, 2)).toEqual(['policy: forbidden at $: no guarantees', 'rubric: unsure: rubric could not decide']);
  });

  it('does not pass when no checks ran, and has no score then', () => {
    const outcome = decideVerdict([], { ...firstTry, canReroute: false });
    expect(outcome).toEqual({ decision: 'escalate', reasons: ['no checks ran, so nothing vouches for the output: escalating to human review'] });
  });

  it('honours a custom set of hard checks', () => {
    const outcome = decideVerdict([pass('rubric', 0.9), fail('tone', 'too casual', 0.4)], { ...firstTry, hardChecks: ['tone'] });
    expect(outcome.score).toBe(0);
  });

  it('recognises unsure results only by their failing "unsure:" detail', () => {
    expect(isUnsure({ name: 'x', passed: false, detail: 'unsure: no context' })).toBe(true);
    expect(isUnsure({ name: 'x', passed: false, score: 0, detail: 'found 1' })).toBe(false);
    expect(isUnsure({ name: 'x', passed: true, detail: 'unsure: but passed' })).toBe(false);
  });
});
