import { isIPv6 } from 'node:net';
import { findSecrets } from './secret-detectors.js';

/** The kinds of personal data and credentials the PII check knows. */
export const PiiKind = {
  email: 'email',
  phone: 'phone',
  card: 'card',
  iban: 'iban',
  ssn: 'ssn',
  ip: 'ip',
  secret: 'secret',
} as const;
export type PiiKind = (typeof PiiKind)[keyof typeof PiiKind];

/** Every kind, in the order findings are reported. */
export const ALL_PII_KINDS: readonly PiiKind[] = Object.values(PiiKind);

/** One detection: where it is in the string, what it is, and (for the caller to redact) its value. */
export interface PiiMatch {
  kind: PiiKind;
  /** A finer name: `visa`, `ipv6`, `openai-key`, … */
  label: string;
  value: string;
  start: number;
  end: number;
}

type Detector = (text: string) => Omit<PiiMatch, 'kind'>[];

/** An email address with a dotted domain; `ada@localhost` is not matched. */
export const EMAIL_PATTERN = /(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])/g;
// International numbers must start with "+" and have 8–15 digits (E.164); without the plus sign a
// digit run is as likely an order number or a year range as a phone number.
const INTERNATIONAL_PHONE = /(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,6}(?![\w])/g;
// US numbers need the 3-3-4 shape with separators and a valid area code (2–9), so "2024-01-15"
// and bare 10-digit ids do not match.
const US_PHONE = /(?<![\w+])(?:\+?1[ .-]?)?(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[ .-])\d{3}[ .-]\d{4}(?![\w])/g;
const CARD_CANDIDATE = /(?<![\w-])\d(?:[ -]?\d){12,22}(?![\w-])/g;
const IBAN = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?![A-Za-z0-9])/g;
// Dashes are required unless the number is labelled: nine bare digits are usually something else.
const SSN_DASHED = /(?<![\w-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w-])/g;
const SSN_LABELLED = /\b(?:ssn|social security (?:number|no\.?|#))\s*[:#]?\s*((?!000|666|9\d\d)\d{9})\b/gi;
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
// "v1.2.3.4" and "1.2.3.4.5" are versions, not addresses.
const IPV4 = new RegExp(`(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?![\\w]|\\.\\d)`, 'g');
const IPV6_CANDIDATE = /(?<![\w:])[0-9A-Fa-f:.]{3,45}(?![\w:])/g;

const matchesOf = (pattern: RegExp, text: string, label: string): Omit<PiiMatch, 'kind'>[] =>
  [...text.matchAll(pattern)].map((match) => ({ label, value: match[0], start: match.index, end: match.index + match[0].length }));

const digitsOf = (value: string): string => value.replace(/\D/g, '');

/** Luhn checksum, as printed on every payment card. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** The card network a number's prefix and length belong to; undefined when none does. */
export function cardNetwork(digits: string): string | undefined {
  const length = digits.length;
  const prefix = (size: number): number => Number(digits.slice(0, size));
  if (/^4/.test(digits) && [13, 16, 19].includes(length)) return 'visa';
  if (length === 16 && ((prefix(2) >= 51 && prefix(2) <= 55) || (prefix(4) >= 2221 && prefix(4) <= 2720))) return 'mastercard';
  if (length === 15 && /^3[47]/.test(digits)) return 'amex';
  if (length >= 16 && length <= 19 && (/^(?:6011|65)/.test(digits) || (prefix(3) >= 644 && prefix(3) <= 649))) return 'discover';
  if (length >= 16 && length <= 19 && prefix(4) >= 3528 && prefix(4) <= 3589) return 'jcb';
  if (length >= 16 && length <= 19 && /^62/.test(digits)) return 'unionpay';
  if (length >= 14 && length <= 19 && (/^3[689]/.test(digits) || (prefix(3) >= 300 && prefix(3) <= 305))) return 'diners';
  return undefined;
}

/** ISO 13616 check: move the first four characters to the end, letters become 10–35, mod 97 must be 1. */
export function ibanValid(iban: string): boolean {
  const compact = iban.replace(/ /g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(compact)) return false;
  let remainder = 0;
  for (const character of compact.slice(4) + compact.slice(0, 4)) {
    const value = /\d/.test(character) ? character : String(character.charCodeAt(0) - 55);
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

function findCards(text: string): Omit<PiiMatch, 'kind'>[] {
  const found: Omit<PiiMatch, 'kind'>[] = [];
  for (const candidate of text.matchAll(CARD_CANDIDATE)) {
    // A run of grouped digits may hold a card followed by another number ("4111 1111 1111 1111 12"),
    // so try every span of whole groups, longest first, and keep the first valid one.
    const groups = [...candidate[0].matchAll(/\d+/g)];
    search: for (let first = 0; first < groups.length; first += 1) {
      for (let last = groups.length - 1; last >= first; last -= 1) {
        const startGroup = groups[first];
        const endGroup = groups[last];
        if (!startGroup || !endGroup) continue;
        const start = candidate.index + startGroup.index;
        const end = candidate.index + endGroup.index + endGroup[0].length;
        const value = text.slice(start, end);
        const digits = digitsOf(value);
        if (digits.length < 13 || digits.length > 19) continue;
        const network = cardNetwork(digits);
        if (network && luhnValid(digits)) {
          found.push({ label: network, value, start, end });
          break search;
        }
      }
    }
  }
  return found;
}

function findPhones(text: string): Omit<PiiMatch, 'kind'>[] {
  const international = matchesOf(INTERNATIONAL_PHONE, text, 'international').filter((match) => {
    const count = digitsOf(match.value).length;
    return count >= 8 && count <= 15;
  });
  return [...international, ...matchesOf(US_PHONE, text, 'us')];
}

function findSsns(text: string): Omit<PiiMatch, 'kind'>[] {
  const labelled = [...text.matchAll(SSN_LABELLED)].flatMap((match) => {
    const digits = match[1];
    if (digits === undefined) return [];
    const start = match.index + match[0].length - digits.length;
    return [{ label: 'ssn', value: digits, start, end: start + digits.length }];
  });
  return [...matchesOf(SSN_DASHED, text, 'ssn'), ...labelled];
}

function findIps(text: string): Omit<PiiMatch, 'kind'>[] {
  const v6 = matchesOf(IPV6_CANDIDATE, text, 'ipv6')
    .map((match) => {
      // A sentence may end right after an address: "… from fe80::1."
      const value = match.value.replace(/\.+$/, '');
      return { ...match, value, end: match.start + value.length };
    })
    .filter((match) => (match.value.match(/:/g)?.length ?? 0) >= 2 && /\d/.test(match.value) && isIPv6(match.value));
  return [...matchesOf(IPV4, text, 'ipv4'), ...v6];
}

// Earlier detectors claim their span first: a key's digits must not also count as a phone number,
// and an IBAN's digits must not count as a card.
const DETECTORS: readonly (readonly [PiiKind, Detector])[] = [
  [PiiKind.secret, (text) => findSecrets(text)],
  [PiiKind.email, (text) => matchesOf(EMAIL_PATTERN, text, 'email')],
  [PiiKind.iban, (text) => matchesOf(IBAN, text, 'iban').filter((match) => ibanValid(match.value))],
  [PiiKind.card, findCards],
  [PiiKind.ssn, findSsns],
  [PiiKind.ip, findIps],
  [PiiKind.phone, findPhones],
];

/**
 * Finds personal data and credentials in one string. Every detector runs, whatever `kinds` says,
 * so a span claimed by one kind is never reported as another; only the requested kinds return.
 */
export function findPii(text: string, kinds: ReadonlySet<PiiKind> = new Set(ALL_PII_KINDS)): PiiMatch[] {
  const claimed: PiiMatch[] = [];
  for (const [kind, detect] of DETECTORS) {
    for (const match of detect(text)) {
      if (claimed.some((other) => match.start < other.end && match.end > other.start)) continue;
      claimed.push({ kind, ...match });
    }
  }
  return claimed.filter((match) => kinds.has(match.kind)).sort((left, right) => left.start - right.start);
}
