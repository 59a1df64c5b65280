/**
 * The value grammar the factuality check shares between output and context: numbers, money
 * amounts, dates and text normalised for lookup. Both sides are read by the same code so that
 * "$1.2 million" in one meets "USD 1,200,000" in the other.
 */

/** A span of text read as a value. */
export interface ValueSpan<T> {
  start: number;
  end: number;
  text: string;
  value: T;
}

/** A calendar date as precise as it was written: `March 2024` has no day, `5 March` no year. */
export interface DateValue {
  year?: number;
  month?: number;
  day?: number;
}

const NUMBER = String.raw`\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?`;
const SCALES: Record<string, number> = { k: 1e3, thousand: 1e3, m: 1e6, mn: 1e6, million: 1e6, b: 1e9, bn: 1e9, billion: 1e9, trillion: 1e12 };
// Suffix scales ("5k", "$2bn") attach without a space; word scales may stand after one.
const SCALE = String.raw`(?:\s?(?:thousand|million|billion|trillion)\b|(?:k|K|m|M|mn|bn|b|B)(?![\p{L}\p{N}]))`;
const CURRENCY_SYMBOLS: Record<string, string> = { 'US$': 'USD', $: 'USD', 'A$': 'AUD', 'C$': 'CAD', '€': 'EUR', '£': 'GBP', '¥': 'JPY', '₹': 'INR' };
const CURRENCY_WORDS: Record<string, string> = { dollar: 'USD', euro: 'EUR', pound: 'GBP', yen: 'JPY', rupee: 'INR' };
const CURRENCY_CODES = 'USD|EUR|GBP|JPY|INR|CHF|CAD|AUD|CNY';

const MONEY = [
  new RegExp(String.raw`(US\$|A\$|C\$|\$|€|£|¥|₹)\s?(${NUMBER})(${SCALE})?`, 'gu'),
  new RegExp(String.raw`\b(${CURRENCY_CODES})\s?(${NUMBER})(${SCALE})?`, 'gu'),
  new RegExp(String.raw`(?<![\p{L}\p{N}.,])(${NUMBER})(${SCALE})?\s?(${CURRENCY_CODES}|dollars?|euros?|pounds?|yen|rupees?)\b`, 'giu'),
];

// Numbers glued to letters before them are names ("GPT-4", "A4", "Q3"), not quantities.
const BARE_NUMBER = new RegExp(String.raw`(?<![\p{L}\p{N}_.,]|\p{L}-)(${NUMBER})(?!\d)(${SCALE})?`, 'gu');

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
// Capitalised only: "may" and "march" are also verbs.
const MONTH = String.raw`(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?`;
const DAY = String.raw`(\d{1,2})(?:st|nd|rd|th)?`;
const DATE_PATTERNS: readonly { regex: RegExp; read: (groups: string[]) => DateValue[] }[] = [
  { regex: /\b(\d{4})-(\d{1,2})-(\d{1,2})\b/g, read: ([y, m, d]) => [{ year: Number(y), month: Number(m), day: Number(d) }] },
  {
    // 03/04/2024 is the 4th of March in the US and the 3rd of April elsewhere: keep both readings.
    regex: /\b(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})\b/g,
    read: ([a, b, y]) => {
      const year = fullYear(Number(y));
      return [
        { year, month: Number(a), day: Number(b) },
        { year, month: Number(b), day: Number(a) },
      ];
    },
  },
  { regex: new RegExp(String.raw`\b${MONTH}\s+${DAY}(?:,?\s+(\d{4}))?\b`, 'g'), read: ([m, d, y]) => [dateOf(y, m, d)] },
  { regex: new RegExp(String.raw`\b${DAY}\s+(?:of\s+)?${MONTH}(?:,?\s+(\d{4}))?\b`, 'g'), read: ([d, m, y]) => [dateOf(y, m, d)] },
  { regex: new RegExp(String.raw`\b${MONTH},?\s+(?:of\s+)?(\d{4})\b`, 'g'), read: ([m, y]) => [dateOf(y, m, undefined)] },
];

/** Reads "1,200.50" as 1200.5 and applies a scale word or suffix ("1.2 million", "5k"). */
export function parseNumber(text: string, scale?: string): number {
  const base = Number(text.replace(/,/g, ''));
  const factor = scale ? (SCALES[scale.trim().toLowerCase()] ?? 1) : 1;
  // Round away float noise so 1.2 × 1e6 is exactly 1200000.
  return Number((base * factor).toPrecision(12));
}

/** Money amounts as `CUR:amount` keys, e.g. `USD:1200000` for "$1.2M". */
export function findMoney(text: string): ValueSpan<string>[] {
  const found: ValueSpan<string>[] = [];
  for (const [index, regex] of MONEY.entries()) {
    for (const match of text.matchAll(regex)) {
      const groups = match.slice(1);
      const [currency, amount, scale] = index === 2 ? [currencyOf(groups[2] ?? ''), groups[0], groups[1]] : [currencyOf(groups[0] ?? ''), groups[1], groups[2]];
      if (amount === undefined || overlapsAny(found, match.index, match.index + match[0].length)) continue;
      found.push({ start: match.index, end: match.index + match[0].length, text: match[0], value: `${currency}:${parseNumber(amount, scale)}` });
    }
  }
  return found.sort((left, right) => left.start - right.start);
}

/**
 * Every number, excluding digits inside names like "GPT-4". Each carries its readings: the value
 * as scaled by a following scale ("5k", "1.2 million") and the bare figure, since "5m" may be money
 * or metres and either reading should meet the same figure elsewhere.
 */
export function findNumbers(text: string): ValueSpan<number[]>[] {
  return [...text.matchAll(BARE_NUMBER)].map((match) => {
    const figure = match[1] ?? '';
    const readings = new Set([parseNumber(figure, match[2]), parseNumber(figure)]);
    return { start: match.index, end: match.index + match[0].length, text: match[0], value: [...readings] };
  });
}

/** Dates in ISO, numeric and month-name forms; each span may carry more than one reading. */
export function findDates(text: string): ValueSpan<DateValue[]>[] {
  const found: ValueSpan<DateValue[]>[] = [];
  for (const { regex, read } of DATE_PATTERNS) {
    for (const match of text.matchAll(regex)) {
      const end = match.index + match[0].length;
      if (overlapsAny(found, match.index, end)) continue;
      const readings = read(match.slice(1) as string[]).filter(isValidDate);
      if (readings.length > 0) found.push({ start: match.index, end, text: match[0], value: readings });
    }
  }
  return found.sort((left, right) => left.start - right.start);
}

/** Whether `claim` says no more than `known`: every part the claim states matches. */
export function dateWithin(claim: DateValue, known: DateValue): boolean {
  return (['year', 'month', 'day'] as const).every((part) => claim[part] === undefined || claim[part] === known[part]);
}

/** Lower case, accents and possessives dropped, punctuation turned into single spaces. */
export function normaliseText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’]s\b/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Whether any span already covers part of start..end. */
export function overlapsAny(spans: readonly { start: number; end: number }[], start: number, end: number): boolean {
  return spans.some((span) => start < span.end && end > span.start);
}

function currencyOf(token: string): string {
  const symbol = CURRENCY_SYMBOLS[token];
  if (symbol) return symbol;
  const word = CURRENCY_WORDS[token.toLowerCase().replace(/s$/, '')];
  return word ?? token.toUpperCase();
}

function dateOf(year: string | undefined, month: string | undefined, day: string | undefined): DateValue {
  const date: DateValue = {};
  if (year !== undefined) date.year = Number(year);
  if (month !== undefined) date.month = MONTHS.indexOf(month.slice(0, 3).toLowerCase()) + 1;
  if (day !== undefined) date.day = Number(day);
  return date;
}

function fullYear(year: number): number {
  if (year >= 100) return year;
  return year < 50 ? 2000 + year : 1900 + year;
}

function isValidDate(date: DateValue): boolean {
  if (date.month !== undefined && (date.month < 1 || date.month > 12)) return false;
  return date.day === undefined || (date.day >= 1 && date.day <= 31);
}
