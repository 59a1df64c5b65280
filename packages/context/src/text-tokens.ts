/** Words that carry no content for matching questions: removing them lets reordered paraphrases line up. */
export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a an the i me my mine we us our you your yours he she it its they them their this that these those is am are was were be been being ' +
    'do does did doing done have has had having can could would should will shall may might must of in on at by for with about as ' +
    'and or but if so than then there here what which who whom whose when where why how please hi hello hey thanks thank ' +
    'just also any some all up out get got want wanted need needs like know tell help way possible ok okay one s t ll ve d re m ' +
    'someone somebody anyone there\'s im i\'m it\'s what\'s how\'s'
  ).split(' '),
);

/** Splits text into lower-case word tokens; keeps digits, ids (`ab-123`) and apostrophes inside words. */
export function wordTokens(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9]+(?:['’.\-/:][a-z0-9]+)*/g) ?? [];
}

/** A light suffix stemmer: enough to line up plurals and tenses (`orders`/`order`, `charged`/`charge`). */
export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith('sses')) return word.slice(0, -2);
  if (word.endsWith('ing') && word.length > 5) return trimDouble(word.slice(0, -3));
  if (word.endsWith('ed') && word.length > 4) return trimDouble(word.slice(0, -2).replace(/i$/, 'y'));
  if (word.endsWith('es') && /(?:ch|sh|x|ss|z)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us') && !word.endsWith('is')) return word.slice(0, -1);
  return word.replace(/e$/, '');
}

function trimDouble(word: string): string {
  // `stopped` → `stopp` → `stop`; `charged` → `charg` matches `charge` → `charg` (stem drops a final e).
  return /([^aeiouls])\1$/.test(word) ? word.slice(0, -1) : word.replace(/e$/, '');
}

/** Content tokens for keyword search (BM25): stemmed, stopwords dropped. */
export function searchTokens(text: string): string[] {
  return wordTokens(text)
    .filter((token) => !STOPWORDS.has(token))
    .map(stem);
}
