import type { CheckResult } from '@troupe/protocol';
import type { Check, CheckInput } from './check.js';
import { collectStrings, type OutputString } from './output-strings.js';

/**
 * A phrase or pattern and why it matters. A string matches case-insensitively, as whole words,
 * with any run of whitespace standing for a space; a RegExp is used as given (its `g`/`y` flags
 * are dropped so matching has no state between runs).
 */
export interface PolicyRule {
  pattern: string | RegExp;
  reason: string;
}

/** The policy one node's output must meet; every field is optional. */
export interface PolicyCheckOptions {
  /** Must appear in no string of the output. */
  forbidden?: readonly PolicyRule[];
  /** Must each appear in at least one string of the output. */
  required?: readonly PolicyRule[];
  /**
   * Dot paths that must hold a value other than null, undefined, '' or []: `summary`,
   * `items.0.name`. Nested paths walk objects and arrays.
   */
  requiredFields?: readonly string[];
  /** Most characters allowed: a string output's length, or the length of its JSON otherwise. */
  maxLength?: number;
  /** Check name reported in the result; `policy` by default (the verdict policy treats it as hard). */
  name?: string;
}

/**
 * Fails the output on any broken rule of a configurable policy: forbidden phrases and patterns,
 * a maximum length, required fields and required phrases. Each failing rule gives one reason.
 *
 * @example
 * const policy = createPolicyCheck({
 *   forbidden: [{ pattern: 'as an AI language model', reason: 'no model disclaimers' }],
 *   requiredFields: ['summary'],
 *   maxLength: 2_000,
 * });
 * const result = await policy.run({ skill: 'summarise', output: { summary: 'As an AI language model…' } });
 * // result.detail === 'forbidden at $.summary: no model disclaimers'
 */
export function createPolicyCheck(options: PolicyCheckOptions): Check {
  const name = options.name ?? 'policy';
  const forbidden = (options.forbidden ?? []).map((rule) => ({ ...rule, regex: toRegExp(rule.pattern) }));
  const required = (options.required ?? []).map((rule) => ({ ...rule, regex: toRegExp(rule.pattern) }));
  return {
    name,
    async run(input: CheckInput): Promise<CheckResult> {
      const strings = collectStrings(input.output);
      const reasons: string[] = [];
      if (options.maxLength !== undefined) {
        const length = lengthOf(input.output);
        if (length > options.maxLength) reasons.push(`too long: ${length} characters, at most ${options.maxLength}`);
      }
      for (const path of options.requiredFields ?? []) {
        if (isEmpty(valueAt(input.output, path))) reasons.push(`missing required field ${path}`);
      }
      for (const rule of forbidden) {
        const where = firstMatch(strings, rule.regex);
        if (where) reasons.push(`forbidden at ${where.path}: ${rule.reason}`);
      }
      for (const rule of required) {
        if (!firstMatch(strings, rule.regex)) reasons.push(`required phrase missing: ${rule.reason}`);
      }
      if (reasons.length === 0) return { name, passed: true, score: 1 };
      return { name, passed: false, score: 0, detail: reasons.join('; ') };
    },
  };
}

function toRegExp(pattern: string | RegExp): RegExp {
  if (pattern instanceof RegExp) return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
  const body = pattern
    .trim()
    .split(/\s+/)
    .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('\\s+');
  // Word edges only where the phrase itself starts or ends with a word character, so "kill" does
  // not match "skill" but a phrase like "!!!" still matches.
  const start = /^[\p{L}\p{N}_]/u.test(pattern.trim()) ? '(?<![\\p{L}\\p{N}_])' : '';
  const end = /[\p{L}\p{N}_]$/u.test(pattern.trim()) ? '(?![\\p{L}\\p{N}_])' : '';
  return new RegExp(`${start}${body}${end}`, 'iu');
}

function firstMatch(strings: readonly OutputString[], regex: RegExp): OutputString | undefined {
  return strings.find((entry) => regex.test(entry.text));
}

function lengthOf(output: unknown): number {
  if (typeof output === 'string') return output.length;
  try {
    return JSON.stringify(output)?.length ?? 0;
  } catch {
    // Not JSON (a cycle or a bigint, built in-process): count its text instead of failing the judge.
    return collectStrings(output).reduce((sum, entry) => sum + entry.text.length, 0);
  }
}

function valueAt(output: unknown, path: string): unknown {
  let value = output;
  for (const segment of path.split('.')) {
    // Own properties only: `constructor` or `toString` must not satisfy a required field.
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  return Array.isArray(value) && value.length === 0;
}
