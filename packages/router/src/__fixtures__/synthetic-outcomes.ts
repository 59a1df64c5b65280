import { seededRandom } from '../fit-quality.js';

/**
 * Synthetic routing data for tests (never the shared benchmark data): 'small' fails arithmetic
 * prompts and passes greetings, 'large' passes both, 'medium' sits between. Costs rise tenfold per tier.
 */
export const SYNTHETIC_MODELS = ['small', 'medium', 'large'] as const;
export const SYNTHETIC_COST = { small: 0.0001, medium: 0.001, large: 0.01 } as const;

const NUMBERS = ['seven', 'twelve', 'forty', 'nine', 'three', 'eighty'];
const NAMES = ['Ada', 'Linus', 'Grace', 'Alan', 'Edsger', 'Barbara'];

/** Probability that each model answers each kind of prompt correctly. */
const SKILL = {
  math: { small: 0.1, medium: 0.6, large: 0.95 },
  chat: { small: 0.95, medium: 0.95, large: 0.97 },
} as const;

/** One synthetic prompt of a kind, varied by a PRNG. */
export function syntheticPrompt(kind: 'math' | 'chat', random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  return kind === 'math'
    ? `Compute the product of ${pick(NUMBERS)} and ${pick(NUMBERS)}, then subtract ${pick(NUMBERS)}. Show the arithmetic.`
    : `Write a friendly hello message to ${pick(NAMES)} and wish ${pick(NAMES)} a nice day.`;
}

/** JSONL text in the routing-data row format, deterministic for a seed. */
export function syntheticJsonl(rows: number, seed = 7): string {
  const random = seededRandom(seed);
  const lines: string[] = [];
  for (let index = 0; index < rows; index += 1) {
    const kind = index % 2 === 0 ? 'math' : 'chat';
    const prompt = syntheticPrompt(kind, random);
    const models = Object.fromEntries(
      SYNTHETIC_MODELS.map((model) => [model, { score: random() < SKILL[kind][model] ? 1 : 0, cost_usd: SYNTHETIC_COST[model] * (1 + random() * 0.1) }]),
    );
    lines.push(JSON.stringify({ id: `syn-${seed}-${index}`, prompt, models, responses: { small: 'A', medium: 'A', large: 'B' } }));
  }
  return `${lines.join('\n')}\n`;
}
