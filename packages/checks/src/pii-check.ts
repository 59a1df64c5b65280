import type { CheckResult } from '@troupe/protocol';
import type { Check, CheckInput } from './check.js';
import { collectStrings } from './output-strings.js';
import { ALL_PII_KINDS, findPii, PiiKind, type PiiMatch } from './pii-detectors.js';
import { isCredentialName, looksLikeSecretValue } from './secret-detectors.js';

/** How the PII check is configured; every field is optional. */
export interface PiiCheckOptions {
  /** Which kinds to look for; all of them by default. */
  kinds?: readonly PiiKind[];
  /**
   * Values that may appear: a string is compared after the same normalisation as the finding
   * (case, spaces, punctuation in numbers), a RegExp is tested against the raw value.
   */
  allow?: readonly (string | RegExp)[];
  /**
   * Allow values that were already in the node's `context` (the user gave them, so echoing them
   * back is not a leak). `true` allows every kind except `secret`; a list names the kinds.
   * Off by default. Secrets are only allowed from context when listed explicitly.
   */
  allowFromContext?: boolean | readonly PiiKind[];
  /** How many findings the detail lists before "and N more"; 10 by default. */
  maxListed?: number;
}

/** One finding as reported: never the value itself. */
export interface PiiFinding {
  kind: PiiKind;
  label: string;
  path: string;
  /** At most the last two characters of the value, e.g. `…om`. */
  redacted: string;
}

/**
 * Hides a detected value: shows at most its last two characters, and none for values so short
 * that two characters would be a large part of them.
 */
export function redact(value: string): string {
  return value.length >= 8 ? `…${value.slice(-2)}` : '…';
}

/** The form two sightings of the same value share: `(555) 123-4567` and `+1 555 123 4567` meet. */
export function normalisePii(kind: PiiKind, value: string): string {
  switch (kind) {
    case PiiKind.email:
    case PiiKind.ip:
      return value.trim().toLowerCase();
    case PiiKind.phone:
      // Country codes are written or left out at will; the last ten digits identify the line.
      return value.replace(/\D/g, '').slice(-10);
    case PiiKind.card:
    case PiiKind.ssn:
      return value.replace(/\D/g, '');
    case PiiKind.iban:
      return value.replace(/\s/g, '').toUpperCase();
    case PiiKind.secret:
      return value.trim();
  }
}

/**
 * Fails when the output holds personal data or credentials: emails, phone numbers, payment cards
 * (Luhn and network-checked), IBANs (mod-97), US SSNs, IP addresses, API keys, tokens and private
 * keys, in any string nested anywhere in the output. The detail names kinds and JSON paths only;
 * found values are redacted to their last two characters at most.
 *
 * @example
 * const pii = createPiiCheck({ allowFromContext: ['email'], allow: ['support@troupe.dev'] });
 * const result = await pii.run({ skill: 'reply', output: { body: 'Write to ada@example.com' } });
 * // result.passed === false, result.detail === 'found 1 (email): email at $.body (…om)'
 */
export function createPiiCheck(options: PiiCheckOptions = {}): Check {
  const kinds = new Set(options.kinds ?? ALL_PII_KINDS);
  const allowFromContext = new Set<PiiKind>(
    options.allowFromContext === true
      ? ALL_PII_KINDS.filter((kind) => kind !== PiiKind.secret)
      : options.allowFromContext || [],
  );
  const maxListed = options.maxListed ?? 10;
  const allowedExplicitly = (match: PiiMatch): boolean =>
    (options.allow ?? []).some((entry) =>
      typeof entry === 'string'
        ? normalisePii(match.kind, entry) === normalisePii(match.kind, match.value)
        : new RegExp(entry.source, entry.flags.replace(/[gy]/g, '')).test(match.value),
    );

  return {
    name: 'pii',
    async run(input: CheckInput): Promise<CheckResult> {
      const fromContext = contextValues(input.context, allowFromContext);
      const findings: PiiFinding[] = [];
      for (const { path, text, key } of collectStrings(input.output)) {
        const matches = findPii(text, kinds);
        // A bare high-entropy value under a name like `apiKey` has no telling prefix of its own.
        if (kinds.has(PiiKind.secret) && key !== undefined && isCredentialName(key) && matches.length === 0) {
          const value = text.trim();
          if (looksLikeSecretValue(value)) matches.push({ kind: PiiKind.secret, label: 'named-credential', value, start: 0, end: text.length });
        }
        for (const match of matches) {
          if (allowedExplicitly(match)) continue;
          if (fromContext.get(match.kind)?.has(normalisePii(match.kind, match.value))) continue;
          findings.push({ kind: match.kind, label: match.label, path, redacted: redact(match.value) });
        }
      }
      if (findings.length === 0) return { name: 'pii', passed: true, score: 1 };
      return { name: 'pii', passed: false, score: 0, detail: describeFindings(findings, maxListed) };
    },
  };
}

function contextValues(context: string | undefined, kinds: ReadonlySet<PiiKind>): Map<PiiKind, Set<string>> {
  const values = new Map<PiiKind, Set<string>>();
  if (!context || kinds.size === 0) return values;
  for (const match of findPii(context, kinds)) {
    const set = values.get(match.kind) ?? new Set<string>();
    set.add(normalisePii(match.kind, match.value));
    values.set(match.kind, set);
  }
  return values;
}

function describeFindings(findings: readonly PiiFinding[], maxListed: number): string {
  const listed = findings.slice(0, maxListed).map((finding) => {
    const kind = finding.kind === PiiKind.secret ? `secret(${finding.label})` : finding.kind;
    return `${kind} at ${finding.path} (${finding.redacted})`;
  });
  const more = findings.length > maxListed ? `; and ${findings.length - maxListed} more` : '';
  const kinds = [...new Set(findings.map((finding) => finding.kind))].join(', ');
  return `found ${findings.length} (${kinds}): ${listed.join('; ')}${more}`;
}
