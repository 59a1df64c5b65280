import type { Claim } from './fact-extraction.js';
import { EMAIL_PATTERN } from './pii-detectors.js';
import { dateWithin, findDates, findMoney, findNumbers, normaliseText, parseNumber, type DateValue } from './fact-values.js';

/** What a context states, indexed so each claim from the output is looked up, not searched for. */
export interface ContextFacts {
  numbers: ReadonlySet<number>;
  /** `CUR:amount` keys. */
  money: ReadonlySet<string>;
  /** Amounts stated with a currency, and which currencies: "$30" must not meet "€30". */
  currenciesByAmount: ReadonlyMap<number, ReadonlySet<string>>;
  dates: readonly DateValue[];
  emails: ReadonlySet<string>;
  /** Normalised text padded with spaces, so whole-word lookups are `includes(' x y ')`. */
  text: string;
  words: ReadonlySet<string>;
}

const UNITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const NUMBER_WORD = new RegExp(
  String.raw`\b(?:(${TENS.slice(2).join('|')})(?:[- ](${UNITS.slice(1, 10).join('|')}))?|(${UNITS.join('|')})|(hundred|dozen))(?:\s+(thousand|million|billion|trillion))?\b`,
  'gi',
);

/** Reads a context once: its numbers (digits and words), money, dates, emails and words. */
export function indexContext(context: string): ContextFacts {
  const numbers = new Set<number>();
  for (const span of findNumbers(context)) for (const value of span.value) numbers.add(value);
  // A paraphrase may write "3 offices" for "three offices".
  for (const match of context.matchAll(NUMBER_WORD)) {
    const [, tens, unit, single, other, scale] = match;
    let value: number;
    if (tens !== undefined) value = TENS.indexOf(tens.toLowerCase()) * 10 + (unit ? UNITS.indexOf(unit.toLowerCase()) : 0);
    else if (single !== undefined) value = UNITS.indexOf(single.toLowerCase());
    else value = other?.toLowerCase() === 'dozen' ? 12 : 100;
    numbers.add(value);
    if (scale) numbers.add(parseNumber(String(value), scale));
  }
  const money = new Set<string>();
  const currenciesByAmount = new Map<number, Set<string>>();
  for (const span of findMoney(context)) {
    money.add(span.value);
    const [currency = '', amount = ''] = span.value.split(':');
    numbers.add(Number(amount));
    const currencies = currenciesByAmount.get(Number(amount)) ?? new Set<string>();
    currencies.add(currency);
    currenciesByAmount.set(Number(amount), currencies);
  }
  const dates = findDates(context).flatMap((span) => span.value);
  const emails = new Set([...context.matchAll(EMAIL_PATTERN)].map((match) => match[0].toLowerCase()));
  const normalised = normaliseText(context);
  return { numbers, money, currenciesByAmount, dates, emails, text: ` ${normalised} `, words: new Set(normalised.split(' ')) };
}

/** Whether the context supports a claim, after normalising both. */
export function isSupported(claim: Claim, facts: ContextFacts): boolean {
  switch (claim.kind) {
    case 'number':
      return claim.values.some((value) => facts.numbers.has(value));
    case 'money': {
      if (facts.money.has(claim.key)) return true;
      // "$30" is supported by a bare "30", but not by "€30": a changed currency is a new fact.
      const [currency = '', amount = ''] = claim.key.split(':');
      const stated = facts.currenciesByAmount.get(Number(amount));
      return facts.numbers.has(Number(amount)) && (!stated || stated.has(currency));
    }
    case 'date':
      return claim.readings.some((reading) => facts.dates.some((known) => dateWithin(reading, known)));
    case 'email':
      return facts.emails.has(claim.address);
    case 'quote':
      return claim.normalised !== '' && facts.text.includes(` ${claim.normalised} `);
    case 'entity':
      if (claim.normalised === '' || facts.text.includes(` ${claim.normalised} `)) return true;
      // "Smith, John" supports "John Smith": every word of the name is in the context.
      return claim.normalised.split(' ').every((word) => facts.words.has(word));
  }
}
