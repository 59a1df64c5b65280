import { ANTONYM_PAIRS, ANTONYM_PREFIXES, DIRECTION_MARKERS, FILLERS, NEGATIONS, NUMBER_WORDS, PHRASES, SLOT_WORDS, SYNONYMS } from './guard-lexicon.js';
import { STOPWORDS, stem, wordTokens } from './text-tokens.js';

/** What the guard reads from one question; computed once per text. */
export interface QuestionShape {
  /** Numbers, ids, dates, sizes, colours, periods and other slot words. */
  values: ReadonlySet<string>;
  /** Capitalised words inside a sentence (names, products, places), lower-cased. */
  entities: ReadonlySet<string>;
  negated: boolean;
  /** `qlong` (how long), `qmuch` (how much/many), `when`, `where`, `why`, `who`, `which`, or undefined. */
  questionType: string | undefined;
  /** Every token, stemmed and folded through the synonym table (for antonyms). */
  stems: ReadonlySet<string>;
  /** Canonical content tokens: what the question is about. */
  content: ReadonlySet<string>;
  /** Canonical tokens in order, direction markers kept, for the swapped-direction check. */
  sequence: readonly string[];
  /** Values and entities in the order they appear (`Pro … Basic` is not `Basic … Pro`). */
  slots: readonly string[];
}

/** The guard's decision; `reason` names the first difference found. */
export type GuardDecision = { ok: true; reason?: undefined } | { ok: false; reason: string };

export interface GuardOptions {
  /**
   * Below this content-token overlap (shared words over the shorter question's) the pair is a rewording, not a near-miss, and only the
   * similarity threshold (raised by `rewordMargin`) decides. Default 0.5.
   */
  minOverlapForNearMiss?: number;
}

const QUESTION_TYPES = new Set(['qlong', 'qmuch', 'qwhen', 'when', 'where', 'why', 'who', 'which']);

function canonical(token: string): string {
  const stemmed = stem(token);
  return SYNONYMS[stemmed] ?? SYNONYMS[token] ?? stemmed;
}

/** Reads the parts of a question that decide whether a cached answer to a similar one still fits. */
export function shapeOf(text: string): QuestionShape {
  const entities = new Set<string>();
  // A capital inside a sentence marks a name or product; the first word of a sentence proves nothing.
  for (const match of text.matchAll(/(?<![.!?]\s*|^\s*)\b([A-Z][A-Za-z0-9]*[A-Za-z0-9])\b/g)) {
    const word = (match[1] as string).toLowerCase();
    if (word !== 'i' && !STOPWORDS.has(word)) entities.add(word);
  }
  let folded = text.toLowerCase().replace(/['’]/g, "'").replace(/'(?:s|re|ll|ve|d|m)\b/g, '');
  for (const [pattern, replacement] of PHRASES) folded = folded.replace(pattern, ` ${replacement} `);
  const tokens = wordTokens(folded).map((token) => NUMBER_WORDS[token] ?? token.replace(/'/g, ''));
  const values = new Set<string>();
  const stems = new Set<string>();
  const content = new Set<string>();
  const sequence: string[] = [];
  let negations = 0;
  let questionType: string | undefined;
  for (const token of tokens) {
    if (NEGATIONS.has(token)) negations += 1;
    if (QUESTION_TYPES.has(token)) questionType ??= token === 'qwhen' ? 'when' : token;
    const isValue = /\d/.test(token) || SLOT_WORDS.has(token) || SLOT_WORDS.has(stem(token));
    if (isValue) {
      values.add(normaliseValue(token));
      // Values keep their place in the sequence: `from USD to EUR` has a direction too.
      sequence.push(normaliseValue(token));
    }
    const form = canonical(token);
    stems.add(form);
    if (DIRECTION_MARKERS.has(token)) {
      sequence.push(`>${token}`);
      continue;
    }
    if (isValue || NEGATIONS.has(token) || QUESTION_TYPES.has(token) || STOPWORDS.has(token) || FILLERS.has(token) || FILLERS.has(form)) continue;
    content.add(form);
    sequence.push(form);
  }
  const slots = tokens.map((token) => normaliseValue(token)).filter((token, index, all) => (values.has(token) || entities.has(token)) && all.indexOf(token) === index);
  return { values, entities, negated: negations > 0, questionType, stems, content, sequence, slots };
}

function normaliseValue(token: string): string {
  // `$1,200.00` and `1200` are one amount; leading zeros in ids are kept (`007` is not `7`).
  return token.replace(/,/g, '').replace(/\.0+$/, '');
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const item of a) if (!b.has(item)) return false;
  return true;
}

function antonymBetween(a: QuestionShape, b: QuestionShape): string | undefined {
  const onlyIn = (x: QuestionShape, y: QuestionShape, word: string) => x.stems.has(word) && !y.stems.has(word);
  for (const [left, right] of ANTONYM_PAIRS) {
    if ((onlyIn(a, b, left) && onlyIn(b, a, right)) || (onlyIn(a, b, right) && onlyIn(b, a, left))) return `${left}/${right}`;
  }
  for (const [x, y] of [[a, b], [b, a]] as const) {
    for (const word of x.stems) {
      if (y.stems.has(word)) continue;
      for (const prefix of ANTONYM_PREFIXES) {
        const opposite = word.startsWith(prefix) ? word.slice(prefix.length) : `${prefix}${word}`;
        // The base word must carry meaning: `to`/`into` and `form`/`inform` are not opposites.
        const base = word.length < opposite.length ? word : opposite;
        if (base.length < 3 || STOPWORDS.has(base) || DIRECTION_MARKERS.has(base)) continue;
        if (y.stems.has(opposite) && !x.stems.has(opposite)) return `${word}/${opposite}`;
      }
    }
  }
  return undefined;
}

const MARKER_CLASSES: Readonly<Record<string, string>> = { '>into': '>to', '>onto': '>to', '>toward': '>to', '>towards': '>to', '>versus': '>vs' };
const markerClass = (marker: string) => MARKER_CLASSES[marker] ?? marker;

/** Pairs of shared words joined by a direction marker whose order flips between the two questions. */
function swappedDirection(a: QuestionShape, b: QuestionShape): boolean {
  const ordered = (shape: QuestionShape) => {
    const pairs = new Set<string>();
    shape.sequence.forEach((token, index) => {
      if (!token.startsWith('>')) return;
      const before = shape.sequence.slice(0, index).filter((item) => !item.startsWith('>')).at(-1);
      const after = shape.sequence.slice(index + 1).find((item) => !item.startsWith('>'));
      if (before && after && before !== after) pairs.add(`${before}|${after}`);
    });
    return pairs;
  };
  const pairsA = ordered(a);
  const pairsB = ordered(b);
  for (const pair of pairsA) {
    const [before, after] = pair.split('|') as [string, string];
    if (pairsB.has(`${after}|${before}`) && !pairsB.has(pair)) return true;
  }
  // `from X to Y` against `to X from Y`: same words and markers, but each word behind the other marker.
  const markerOf = (shape: QuestionShape) => {
    const map = new Map<string, string>();
    shape.sequence.forEach((token, index) => {
      const next = shape.sequence[index + 1];
      if (token.startsWith('>') && next && !next.startsWith('>')) map.set(next, token);
    });
    return map;
  };
  const markersA = markerOf(a);
  const markersB = markerOf(b);
  for (const [word, marker] of markersA) {
    const other = markersB.get(word);
    // `get to the store` vs `get from the store`: one word behind opposite markers (`into` counts as `to`).
    if (other && markerClass(other) !== markerClass(marker)) return true;
  }
  return false;
}

/** Shared content tokens over the longer question's count (0 to 1): `reset my password` / `reset my router` is 0.5. */
export function contentOverlap(a: QuestionShape, b: QuestionShape): number {
  const longer = Math.min(a.content.size, b.content.size);
  if (longer === 0) return 1;
  let shared = 0;
  for (const token of a.content) if (b.content.has(token)) shared += 1;
  return shared / longer;
}

/**
 * Refuses a cached answer whose question differs from the asked one in a way the embedding cannot
 * see (measured with USE: such near-misses score cosine 0.95–0.999). Decision table, first match wins:
 *
 * | difference | decision |
 * | --- | --- |
 * | numbers, ids, dates, sizes, slot words differ | refuse `value` |
 * | a capitalised entity of one is missing from the other | refuse `entity` |
 * | one is negated, the other not | refuse `negation` |
 * | an antonym pair (`enable`/`disable`, `subscribe`/`unsubscribe`) | refuse `antonym` |
 * | shared words swap sides of `to`/`from`/`than` | refuse `direction` |
 * | the same values or entities in another order | refuse `slot-order` |
 * | question words differ (`how long` vs `how much`, `where` vs `when`) | refuse `question-type` |
 * | same content words after synonyms and fillers | accept |
 * | most content words shared but some differ (another product or attribute) | refuse `content` |
 * | few words shared (a rewording) | accept; the raised similarity threshold decides |
 */
export function guardNearMiss(a: QuestionShape, b: QuestionShape, options: GuardOptions = {}): GuardDecision & { rewording: boolean } {
  const minOverlap = options.minOverlapForNearMiss ?? 0.5;
  const refuse = (reason: string) => ({ ok: false as const, reason, rewording: false });
  if (!sameSet(a.values, b.values)) return refuse('value');
  for (const [x, y] of [[a, b], [b, a]] as const) {
    for (const entity of x.entities) if (!y.content.has(canonical(entity)) && !y.values.has(entity) && !y.entities.has(entity)) return refuse('entity');
  }
  if (a.negated !== b.negated) return refuse('negation');
  const antonym = antonymBetween(a, b);
  if (antonym) return refuse(`antonym ${antonym}`);
  if (swappedDirection(a, b)) return refuse('direction');
  if (a.slots.length > 1 && a.slots.join('|') !== b.slots.join('|') && sameSet(new Set(a.slots), new Set(b.slots))) return refuse('slot-order');
  if (a.questionType && b.questionType && a.questionType !== b.questionType) return refuse('question-type');
  if (sameSet(a.content, b.content)) return { ok: true, rewording: false };
  if (contentOverlap(a, b) >= minOverlap) return refuse('content');
  return { ok: true, rewording: true };
}
