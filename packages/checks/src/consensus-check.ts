import type { CheckResult } from '@troupe/protocol';
import type { Check } from './check.js';

/**
 * Canonical form of an answer for agreement: lower case, single spaces, no punctuation at either
 * end ("A)\n", " a." and "A" all agree). Long free-form answers rarely match exactly, so agreement
 * stays a signal for short answers (choices, numbers, labels, short code), as it should.
 */
export function normaliseAnswer(output: unknown): string {
  const text = typeof output === 'string' ? output : output === undefined ? '' : JSON.stringify(output);
  return text
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
}

/**
 * FrugalGPT-style agreement: the planner asked one or more different cheap models the same
 * subtask (`peers`); the answer passes when a peer's normalised answer equals it. No peer answer
 * (all failed, or none was asked) is unsure, never a pass; disagreement is a scored failure.
 */
export function createConsensusCheck(): Check {
  return {
    name: 'consensus',
    async run(input): Promise<CheckResult> {
      const peers = input.peers ?? [];
      if (peers.length === 0) return { name: 'consensus', passed: false, detail: 'unsure: no peer answer to compare with' };
      const answer = normaliseAnswer(input.output);
      if (answer.length === 0) return { name: 'consensus', passed: false, score: 0, detail: 'the answer is empty' };
      const agreeing = peers.filter((peer) => normaliseAnswer(peer.output) === answer).map((peer) => peer.model);
      if (agreeing.length > 0) return { name: 'consensus', passed: true, score: 1, detail: `agrees with ${agreeing.join(', ')}` };
      return { name: 'consensus', passed: false, score: 0, detail: `disagrees with ${peers.map((peer) => peer.model).join(', ')}` };
    },
  };
}

/**
 * Passes when the worker's reported confidence (token probability, a classifier's score) reaches
 * the gate's `minConfidence`, or else the `threshold` the worker reported in its metadata (a trained
 * classifier's cross-validated threshold). A result without a confidence, or with no threshold, is unsure.
 */
export function createConfidenceCheck(): Check {
  return {
    name: 'confidence',
    async run(input): Promise<CheckResult> {
      if (input.confidence === undefined) return { name: 'confidence', passed: false, detail: 'unsure: the worker reported no confidence' };
      // A trained classifier reports the threshold cross-validation chose for it; a gate may defer to it.
      const reported = input.metadata?.threshold;
      const minConfidence = input.minConfidence ?? (typeof reported === 'number' ? reported : undefined);
      if (minConfidence === undefined) return { name: 'confidence', passed: false, detail: 'unsure: the gate sets no minConfidence' };
      const passed = input.confidence >= minConfidence;
      return { name: 'confidence', passed, score: input.confidence, detail: `confidence ${input.confidence.toFixed(3)} ${passed ? '>=' : '<'} ${minConfidence}` };
    },
  };
}
