/**
 * Canonical form of an answer for agreement checks: lower case, single spaces, no punctuation at
 * either end ("A)\n", " a." and "A" all agree). Long free-form answers rarely match exactly, so
 * agreement stays a signal for short answers (choices, numbers, labels), as it should.
 */
export function normaliseAnswer(text: string): string {
  return text
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
}

/** One model's answer in a cascade. */
export interface CascadeAnswer {
  model: string;
  text: string;
}

/**
 * The models whose answers agree with the most recent answer (itself included), or undefined
 * when no earlier answer matches it or it is empty. Two cheap models agreeing is the cascade's
 * cheap signal that escalating would not help.
 */
export function agreeingWithLatest(answers: readonly CascadeAnswer[], normalised: readonly string[] = answers.map((answer) => normaliseAnswer(answer.text))): string[] | undefined {
  const latest = normalised[normalised.length - 1];
  if (latest === undefined || latest.length === 0) return undefined;
  const group = answers.filter((_, index) => normalised[index] === latest).map((answer) => answer.model);
  return group.length >= 2 ? group : undefined;
}
