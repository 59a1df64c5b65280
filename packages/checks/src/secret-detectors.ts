/** A credential found in text; `label` says which kind (`openai-key`, `private-key`, …). */
export interface SecretMatch {
  label: string;
  value: string;
  start: number;
  end: number;
}

interface SecretPattern {
  label: string;
  pattern: RegExp;
  /** Rejects look-alikes the pattern alone lets through (slugs, placeholders). */
  accept?: (value: string) => boolean;
}

const hasDigit = (value: string): boolean => /\d/.test(value);

// Vendor formats first: they are exact, so they win over the generic assignment rule below.
const SECRET_PATTERNS: readonly SecretPattern[] = [
  // The header alone is enough: a truncated key is still a leaked key.
  {
    label: 'private-key',
    pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)?/g,
  },
  { label: 'anthropic-key', pattern: /(?<![\w-])sk-ant-[A-Za-z0-9_-]{20,}/g, accept: hasDigit },
  // A digit is required so hyphenated words after "sk-" (e.g. "sk-learn-…") are not keys.
  { label: 'openai-key', pattern: /(?<![\w-])sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g, accept: hasDigit },
  { label: 'stripe-key', pattern: /(?<![\w-])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}/g },
  { label: 'aws-access-key-id', pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g },
  { label: 'github-token', pattern: /(?<![\w])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})/g },
  { label: 'slack-token', pattern: /(?<![\w-])xox[abposr]-[A-Za-z0-9-]{10,}/g },
  { label: 'google-api-key', pattern: /(?<![\w-])AIza[0-9A-Za-z_-]{35}/g },
  { label: 'jwt', pattern: /(?<![\w-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
];

/** Names under which credentials travel: `api_key`, `apiKey`, `client_secret`, `AUTH_TOKEN`, `password`, … */
const CREDENTIAL_NAME = /(?:api[_-]?key|apikey|secret|token|passw(?:or)?d|\bpwd|credential|private[_-]?key|access[_-]?key)/i;

// `name = value`, `name: "value"`, `"name": "value"`, `NAME=value` — the value is group 1.
const CREDENTIAL_ASSIGNMENT =
  /[A-Za-z0-9_.-]*(?:api[_-]?key|apikey|secret|token|passw(?:or)?d|\bpwd|credential|private[_-]?key|access[_-]?key)[A-Za-z0-9_-]*["']?\s*(?:=>|:=|[:=])\s*["'`]?([^\s"'`,;&<>{}()[\]]{10,})/gi;

const PLACEHOLDER = /your|example|sample|dummy|placeholder|changeme|redacted|xxxx|\*\*\*|\.\.\.|<|>|\$\{|^\$[A-Z_]/i;
// Code that names a credential instead of holding one: `process.env.OPENAI_API_KEY`, `OPENAI_API_KEY`.
const CODE_REFERENCE = /^(?:[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+|[A-Z][A-Z0-9_]*|[a-z]+(?:_[a-z]+)*)$/;

/** Shannon entropy in bits per character. */
export function shannonEntropy(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const character of value) counts.set(character, (counts.get(character) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const probability = count / value.length;
    entropy -= probability * Math.log2(probability);
  }
  return entropy;
}

/**
 * Whether a value assigned to a credential-like name looks like a real secret rather than prose,
 * a placeholder or a reference to one: one token, ≥ 10 characters, ≥ 3 bits of entropy per
 * character, and at least two of lower case, upper case and digits.
 */
export function looksLikeSecretValue(value: string): boolean {
  if (value.length < 10 || /\s/.test(value)) return false;
  if (PLACEHOLDER.test(value) || CODE_REFERENCE.test(value)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /\d/].filter((pattern) => pattern.test(value)).length;
  return classes >= 2 && shannonEntropy(value) >= 3;
}

/** Whether a property name says its value is a credential (`apiKey`, `client_secret`, `password`). */
export function isCredentialName(name: string): boolean {
  return CREDENTIAL_NAME.test(name);
}

/** Finds API keys, tokens, private keys and high-entropy credential assignments in one string. */
export function findSecrets(text: string): SecretMatch[] {
  const found: SecretMatch[] = [];
  const overlaps = (start: number, end: number): boolean => found.some((match) => start < match.end && end > match.start);
  for (const { label, pattern, accept } of SECRET_PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      const start = match.index;
      const end = start + match[0].length;
      if ((accept && !accept(match[0])) || overlaps(start, end)) continue;
      found.push({ label, value: match[0], start, end });
    }
  }
  for (const match of text.matchAll(CREDENTIAL_ASSIGNMENT)) {
    const value = match[1];
    if (value === undefined || !looksLikeSecretValue(value)) continue;
    // Report only the value: the name next to it is not secret, and redaction shows its tail.
    const start = match.index + match[0].length - value.length;
    const end = start + value.length;
    if (overlaps(start, end)) continue;
    found.push({ label: 'credential-assignment', value, start, end });
  }
  return found.sort((left, right) => left.start - right.start);
}
