import { EMAIL_PATTERN } from './pii-detectors.js';
import { findDates, findMoney, findNumbers, normaliseText, overlapsAny, type DateValue } from './fact-values.js';

/** A checkable statement of fact found in output text. */
export type Claim =
  | { kind: 'number'; text: string; values: number[] }
  | { kind: 'money'; text: string; key: string }
  | { kind: 'date'; text: string; readings: DateValue[] }
  | { kind: 'email'; text: string; address: string }
  | { kind: 'entity' | 'quote'; text: string; normalised: string };

/** The kinds of claim, in the order they are looked for. */
export type ClaimKind = Claim['kind'];

const QUOTE = /"([^"\n]{3,300})"|“([^”\n]{3,300})”|«([^»\n]{3,300})»/g;
const TOKEN = String.raw`\p{Lu}[\p{L}\p{M}\p{N}'’&-]*`;
// Particles that sit inside names: "Bank of America", "Ludwig van Beethoven".
const PARTICLE = String.raw`(?:of|de|la|van|von|der|den|du|del|da|di|le|al|bin)`;
// Not inside a word: "iPhone" holds no name "Phone".
const ENTITY = new RegExp(String.raw`(?<![\p{L}\p{N}_'’-])${TOKEN}(?:(?:[ \t]+${PARTICLE}){0,2}[ \t]+${TOKEN})*`, 'gu');
const PARTICLE_WORD = new RegExp(`^${PARTICLE}$`);
// Longer field values are prose, whatever their capitals.
const NAME_LIKE_MAX_WORDS = 6;
const TITLE_ABBREVIATION = /(?:^|[\s(])(?:Dr|Mr|Mrs|Ms|Prof|St|Jr|Sr|Mt|Gen|Col|Capt|Lt|No|vs|[A-Z])\.$/;

// Capitalised only because of grammar or position, never names. Month names are here because a
// month with a day or year is already a date claim, and alone it is too vague to check.
const NOT_NAMES = new Set(
  `a an the this that these those it its it's in on at for from by with as and but or nor if when while where what which
  who whom whose why how after before since although though because however also then there here thus hence therefore we
  i i'm i've i'll you he she they our your their his her my me us them yes no not so to of all some any each every both
  most many more few several other another such overall meanwhile additionally furthermore moreover finally first second
  third next last today yesterday tomorrow according note please thanks thank dear hi hello summary conclusion ok okay none
  n/a unknown true false null dr mr mrs ms prof st jr sr mt is are was were be been will would can could should may might
  must do does did has have had let based given using per via about above below under over between into through during
  without within upon like unlike just only even still yet already now soon later once again never always often sometimes
  usually generally typically currently recently either neither january february march april june july august september
  october november december jan feb mar apr jun jul aug sep sept oct nov dec`.split(/\s+/),
);

/**
 * Finds the facts a text states: emails, quotations of three words or more, money, dates,
 * numbers, and capitalised names. Each span is claimed once, in that order, so "$1.2M" is money
 * and not also a number. When the whole text reads like a name, as JSON field values often do
 * ("Paris", "Acme Corp"), its first word is a name candidate, not capitalised by sentence position.
 */
export function extractClaims(source: string): Claim[] {
  const text = blankOutStructure(source);
  const nameLikeValue = isNameLike(text);
  const taken: { start: number; end: number }[] = [];
  const claims: Claim[] = [];
  const take = (start: number, end: number, claim: Claim): void => {
    if (overlapsAny(taken, start, end)) return;
    taken.push({ start, end });
    claims.push(claim);
  };
  for (const match of text.matchAll(EMAIL_PATTERN)) {
    take(match.index, match.index + match[0].length, { kind: 'email', text: match[0], address: match[0].toLowerCase() });
  }
  for (const match of text.matchAll(QUOTE)) {
    const quoted = match[1] ?? match[2] ?? match[3] ?? '';
    // Shorter quoted text is usually a scare-quoted word, left to the other extractors.
    if (quoted.trim().split(/\s+/).length < 3) continue;
    take(match.index, match.index + match[0].length, { kind: 'quote', text: quoted, normalised: normaliseText(quoted) });
  }
  for (const span of findMoney(text)) take(span.start, span.end, { kind: 'money', text: span.text, key: span.value });
  for (const span of findDates(text)) take(span.start, span.end, { kind: 'date', text: span.text, readings: span.value });
  for (const span of findNumbers(text)) take(span.start, span.end, { kind: 'number', text: span.text, values: span.value });
  for (const match of text.matchAll(ENTITY)) {
    const start = match.index;
    if (overlapsAny(taken, start, start + match[0].length)) continue;
    const atSentenceStart = !(nameLikeValue && text.slice(0, start).trim() === '') && isSentenceStart(text, start);
    const name = nameOf(match[0], atSentenceStart);
    if (name) take(start, start + match[0].length, { kind: 'entity', text: name, normalised: normaliseText(name) });
  }
  return claims;
}

/**
 * Keeps indexes stable while removing what is layout, not fact: markdown heading lines and the
 * numbers of numbered list items ("1. ", "2) ").
 */
function blankOutStructure(text: string): string {
  return text
    .replace(/^[ \t]*#{1,6}[ \t].*$/gm, (line) => ' '.repeat(line.length))
    .replace(/^([ \t]*)(\d{1,3}[.)])(?=[ \t])/gm, (_line, indent: string, marker: string) => indent + ' '.repeat(marker.length));
}

/** A short value whose every word is capitalised, a number or a particle: "New York", "Bank of America". */
function isNameLike(text: string): boolean {
  const words = text.trim().split(/\s+/);
  return words.length <= NAME_LIKE_MAX_WORDS && words.every((word) => /^[\p{Lu}\p{N}]/u.test(word) || PARTICLE_WORD.test(word));
}

/** Whether a capitalised word at `index` could be capitalised only because a sentence starts there. */
function isSentenceStart(text: string, index: number): boolean {
  const before = text.slice(0, index).replace(/[ \t"'“”‘’([*•>-]+$/u, '');
  if (before.trim() === '' || before.endsWith('\n')) return true;
  if (!/[.!?]$/.test(before)) return false;
  // "Dr. Zhang" and "J. Smith" continue a sentence.
  return !TITLE_ABBREVIATION.test(before);
}

/**
 * The name inside a capitalised run, or undefined: grammar words are trimmed from both ends, and
 * a lone word that starts a sentence is dropped, since any word is capitalised there.
 */
function nameOf(run: string, atSentenceStart: boolean): string | undefined {
  const words = run.split(/[ \t]+/);
  let first = 0;
  let last = words.length - 1;
  const isGrammar = (word: string | undefined): boolean =>
    word === undefined || NOT_NAMES.has(word.toLowerCase()) || PARTICLE_WORD.test(word);
  while (first <= last && isGrammar(words[first])) first += 1;
  while (last >= first && isGrammar(words[last])) last -= 1;
  if (first > last) return undefined;
  const kept = words.slice(first, last + 1);
  const lone = kept[0] ?? '';
  if (kept.length === 1) {
    if (lone.length < 2) return undefined;
    // Acronyms ("NASA") are names wherever they stand.
    const isAcronym = /^\p{Lu}{2,}[\p{Lu}\p{N}-]*$/u.test(lone);
    if (atSentenceStart && first === 0 && !isAcronym) return undefined;
  }
  return kept.join(' ');
}
