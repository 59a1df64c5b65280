import { seededRandom, shuffledIndices } from './seeded-random.js';

/**
 * Assigns each row to one of `folds` folds so every label is spread evenly across them: with 77
 * intents and ~130 rows each, a plain random split would leave some folds short of a label.
 */
export function stratifiedFolds(labels: Uint16Array, folds: number, seed: number): Uint8Array {
  const random = seededRandom(seed);
  const assignment = new Uint8Array(labels.length);
  const byLabel = new Map<number, number[]>();
  labels.forEach((label, row) => {
    const rows = byLabel.get(label) ?? [];
    rows.push(row);
    byLabel.set(label, rows);
  });
  let offset = 0;
  for (const rows of byLabel.values()) {
    const order = shuffledIndices(rows.length, random);
    order.forEach((position, index) => {
      assignment[rows[position]!] = (index + offset) % folds;
    });
    offset += rows.length;
  }
  return assignment;
}

/** Row indices inside and outside fold `fold`. */
export function foldSplit(assignment: Uint8Array, fold: number): { train: number[]; test: number[] } {
  const train: number[] = [];
  const test: number[] = [];
  assignment.forEach((value, row) => (value === fold ? test : train).push(row));
  return { train, test };
}
