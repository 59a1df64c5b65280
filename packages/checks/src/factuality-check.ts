import type { CheckResult } from '@troupe/protocol';
import type { Check, CheckInput } from './check.js';
import { indexContext, isSupported } from './context-facts.js';
import { extractClaims, type Claim, type ClaimKind } from './fact-extraction.js';
import { normaliseText } from './fact-values.js';
import { collectStrings } from './output-strings.js';
import { redact } from './pii-check.js';

/** How the factuality check is configured; every field is optional. */
export interface FactualityCheckOptions {
  /** Least share of claims the context must support to pass; 1 (every claim) by default. */
  minSupported?: number;
  /** Terms never checked, e.g. the product's own name; compared after normalisation. */
  ignore?: readonly string[];
  /** How many unsupported claims the detail lists before "and N more"; 10 by default. */
  maxListed?: number;
}

/** One claim that the context does not support, as listed in the detail. */
export interface UnsupportedClaim {
  kind: ClaimKind;
  text: string;
  path: string;
}

/**
 * Checks the facts an output states against the context the node was given, without a model:
 * numbers, money, dates, emails, quotations and capitalised names in every output string must
 * each appear in the context, after normalisation ("$1.2 million" meets "USD 1,200,000", "3"
 * meets "three", "5 March 2024" meets "2024-03-05"). The score is supported / total. A paraphrase
 * that adds no new facts passes; with no context the check is unsure, never passing.
 *
 * Strings the output schema lists in `enum` or `const` are labels, not claims, and are skipped.
 *
 * @example
 * const factuality = createFactualityCheck({ ignore: ['Troupe'] });
 * const result = await factuality.run({
 *   skill: 'summarise',
 *   context: 'Acme Corp reported revenue of $4.2 million in March 2024.',
 *   output: { summary: 'In March 2024 Acme Corp made $4.2M, up 30%.' },
 * });
 * // result.passed === false, result.score === 0.75, detail lists: number "30" at $.summary
 */
export function createFactualityCheck(options: FactualityCheckOptions = {}): Check {
  const minSupported = options.minSupported ?? 1;
  const maxListed = options.maxListed ?? 10;
  const ignored = new Set((options.ignore ?? []).map(normaliseText));
  return {
    name: 'factuality',
    async run(input: CheckInput): Promise<CheckResult> {
      if (!input.context?.trim()) return { name: 'factuality', passed: false, detail: 'unsure: no context to check facts against' };
      const facts = indexContext(input.context);
      const labels = new Set([...schemaLabels(input.outputSchema)].map(normaliseText));
      const seen = new Set<string>();
      const unsupported: UnsupportedClaim[] = [];
      let total = 0;
      for (const { path, text } of collectStrings(input.output)) {
        for (const claim of extractClaims(text)) {
          const key = claimKey(claim);
          // A fact repeated across fields is one fact: it counts once towards the score.
          if (seen.has(key) || ignored.has(normaliseText(claim.text)) || (claim.kind === 'entity' && labels.has(claim.normalised))) continue;
          seen.add(key);
          total += 1;
          if (!isSupported(claim, facts)) unsupported.push({ kind: claim.kind, text: claim.text, path });
        }
      }
      if (total === 0) return { name: 'factuality', passed: true, score: 1, detail: 'no checkable facts in the output' };
      const score = (total - unsupported.length) / total;
      const summary = `${total - unsupported.length}/${total} facts supported by the context`;
      const detail = unsupported.length === 0 ? summary : `${summary}; unsupported: ${describe(unsupported, maxListed)}`;
      return { name: 'factuality', passed: score >= minSupported, score, detail };
    },
  };
}

function claimKey(claim: Claim): string {
  switch (claim.kind) {
    case 'number':
      return `number:${claim.values.join('|')}`;
    case 'money':
      return `money:${claim.key}`;
    case 'date':
      return `date:${JSON.stringify(claim.readings)}`;
    case 'email':
      return `email:${claim.address}`;
    case 'entity':
    case 'quote':
      return `${claim.kind}:${claim.normalised}`;
  }
}

function describe(claims: readonly UnsupportedClaim[], maxListed: number): string {
  const listed = claims.slice(0, maxListed).map((claim) => {
    // The detail travels in verdicts and logs; an email there would be a leak of its own.
    const shown = claim.kind === 'email' ? redact(claim.text) : JSON.stringify(claim.text);
    return `${claim.kind} ${shown} at ${claim.path}`;
  });
  const more = claims.length > maxListed ? `, and ${claims.length - maxListed} more` : '';
  return listed.join(', ') + more;
}

/** Every string an output schema names in `enum` or `const`, at any depth. */
function schemaLabels(schema: unknown, found = new Set<string>(), depth = 0): Set<string> {
  if (schema === null || typeof schema !== 'object' || depth > 32) return found;
  const record = schema as Record<string, unknown>;
  if (typeof record.const === 'string') found.add(record.const);
  if (Array.isArray(record.enum)) for (const value of record.enum) if (typeof value === 'string') found.add(value);
  for (const value of Object.values(record)) schemaLabels(value, found, depth + 1);
  return found;
}
