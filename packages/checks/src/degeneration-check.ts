import type { CheckResult } from '@troupe/protocol';
import type { Check, CheckInput } from './check.js';
import { collectStrings } from './output-strings.js';

export interface DegenerationCheckOptions {
  /** Word n-gram length for the repetition test (default 4). */
  ngram?: number;
  /** An n-gram seen this many times fails the output (default 3). */
  maxNgramRepeats?: number;
  /** Fail when this share of the n-grams are repeats of earlier ones (default 0.3, over at least 12 words). */
  maxRepeatedShare?: number;
  /** Runaway length: more words than this in the whole output fails (default 400). */
  maxWords?: number;
}

/** What was wrong with a degenerate output; empty when it reads as a normal answer. */
export interface DegenerationFinding {
  kind: 'empty' | 'repeated-sentence' | 'repeated-ngram' | 'runaway-length';
  detail: string;
}

/**
 * The judge's gate for degenerate output, which a schema check cannot see: an empty answer, a
 * sentence said twice, an n-gram looping ("a refund for a refund for a refund…"), or an answer that
 * runs on. Small local models do all of these under greedy decoding (SmolLM2-135M repeats its
 * synthesis sentence until the token cap). The check is soft: the verdict policy retries the node,
 * and the worker retries with stronger repetition penalties, before a reroute or an escalation.
 *
 * @example
 * const check = createDegenerationCheck();
 * await check.run({ skill: 'generate', output: { answer: 'Yes. Yes. Yes.' } }); // passed: false
 */
export function createDegenerationCheck(options: DegenerationCheckOptions = {}): Check {
  return {
    name: 'degeneration',
    async run(input: CheckInput): Promise<CheckResult> {
      const findings = findDegeneration(input.output, options);
      if (findings.length === 0) return { name: 'degeneration', passed: true, score: 1 };
      return { name: 'degeneration', passed: false, score: 0, detail: findings.map((finding) => finding.detail).join('; ') };
    },
  };
}

/** Every degeneration found in an output (a string or any JSON value), in a stable order. */
export function findDegeneration(output: unknown, options: DegenerationCheckOptions = {}): DegenerationFinding[] {
  const n = options.ngram ?? 4;
  const maxRepeats = options.maxNgramRepeats ?? 3;
  const maxShare = options.maxRepeatedShare ?? 0.3;
  const maxWords = options.maxWords ?? 400;
  const texts = collectStrings(output).filter((found) => typeof found.text === 'string');
  const findings: DegenerationFinding[] = [];
  // Empty means nothing was said: a structured answer of numbers or booleans (`{"ok": true}`) is not empty.
  if (!hasContent(output)) return [{ kind: 'empty', detail: 'the answer is empty' }];
  let totalWords = 0;
  for (const { path, text } of texts) {
    const words = wordsOf(text);
    totalWords += words.length;
    const sentence = repeatedSentence(text);
    if (sentence) findings.push({ kind: 'repeated-sentence', detail: `${path} repeats the sentence "${clip(sentence)}"` });
    const grams = ngramsOf(words, n);
    const counts = new Map<string, number>();
    let repeats = 0;
    for (const gram of grams) {
      const seen = counts.get(gram) ?? 0;
      if (seen > 0) repeats += 1;
      counts.set(gram, seen + 1);
    }
    const [worst, times] = [...counts.entries()].sort((left, right) => right[1] - left[1])[0] ?? ['', 0];
    if (times >= maxRepeats) findings.push({ kind: 'repeated-ngram', detail: `${path} says "${clip(worst)}" ${times} times` });
    else if (words.length >= 12 && repeats / grams.length > maxShare) {
      findings.push({ kind: 'repeated-ngram', detail: `${path}: ${Math.round((100 * repeats) / grams.length)}% of its ${n}-word phrases are repeats` });
    }
  }
  if (totalWords > maxWords) findings.push({ kind: 'runaway-length', detail: `the answer runs to ${totalWords} words (limit ${maxWords})` });
  return findings;
}

function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
}

function ngramsOf(words: readonly string[], n: number): string[] {
  const grams: string[] = [];
  for (let index = 0; index + n <= words.length; index += 1) grams.push(words.slice(index, index + n).join(' '));
  return grams;
}

/** The first sentence (of three words or more) that occurs again, compared without case or punctuation. */
function repeatedSentence(text: string): string | undefined {
  const seen = new Set<string>();
  for (const sentence of text.split(/(?<=[.!?。])\s+|\n+/)) {
    const key = wordsOf(sentence).join(' ');
    if (key.split(' ').length < 3) continue;
    if (seen.has(key)) return sentence.trim();
    seen.add(key);
  }
  return undefined;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function hasContent(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (typeof value === 'object') return Object.values(value).some(hasContent);
  return true;
}
