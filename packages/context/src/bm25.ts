import { searchTokens } from './text-tokens.js';

/** One keyword match: the document id and its BM25 score (higher is better, unbounded). */
export interface KeywordMatch {
  id: string;
  score: number;
}

/**
 * Okapi BM25 over an in-memory set of documents. Small collections are the norm here (policies,
 * FAQs), so the index is rebuilt lazily after a change instead of maintained incrementally.
 */
export class Bm25Index {
  readonly #documents = new Map<string, Map<string, number>>();
  readonly #lengths = new Map<string, number>();
  #documentFrequency = new Map<string, number>();
  #averageLength = 0;
  #dirty = false;

  constructor(
    private readonly k1 = 1.2,
    private readonly b = 0.75,
  ) {}

  get size(): number {
    return this.#documents.size;
  }

  upsert(id: string, text: string): void {
    const counts = new Map<string, number>();
    const tokens = searchTokens(text);
    for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
    this.#documents.set(id, counts);
    this.#lengths.set(id, tokens.length);
    this.#dirty = true;
  }

  remove(id: string): void {
    this.#documents.delete(id);
    this.#lengths.delete(id);
    this.#dirty = true;
  }

  search(query: string, k: number): KeywordMatch[] {
    if (this.#dirty) this.#rebuild();
    const terms = [...new Set(searchTokens(query))];
    const total = this.#documents.size;
    const scores: KeywordMatch[] = [];
    for (const [id, counts] of this.#documents) {
      let score = 0;
      const length = this.#lengths.get(id) ?? 0;
      for (const term of terms) {
        const frequency = counts.get(term);
        if (!frequency) continue;
        const containing = this.#documentFrequency.get(term) ?? 0;
        const idf = Math.log(1 + (total - containing + 0.5) / (containing + 0.5));
        score += (idf * frequency * (this.k1 + 1)) / (frequency + this.k1 * (1 - this.b + (this.b * length) / (this.#averageLength || 1)));
      }
      if (score > 0) scores.push({ id, score });
    }
    return scores.sort((left, right) => right.score - left.score).slice(0, k);
  }

  #rebuild(): void {
    this.#documentFrequency = new Map();
    let totalLength = 0;
    for (const [id, counts] of this.#documents) {
      totalLength += this.#lengths.get(id) ?? 0;
      for (const term of counts.keys()) this.#documentFrequency.set(term, (this.#documentFrequency.get(term) ?? 0) + 1);
    }
    this.#averageLength = this.#documents.size ? totalLength / this.#documents.size : 0;
    this.#dirty = false;
  }
}

/** RRF's damping constant from Cormack et al. (2009): rank 1 scores 1/61. */
export const RRF_K = 60;

/**
 * Reciprocal-rank fusion of ranked id lists, normalised so an id ranked first in every list scores 1.
 * Ranks, not raw scores, are fused: BM25 and cosine live on different scales.
 */
export function reciprocalRankFusion(rankings: readonly (readonly string[])[]): Map<string, number> {
  const fused = new Map<string, number>();
  const best = rankings.length / (RRF_K + 1);
  for (const ranking of rankings) {
    ranking.forEach((id, rank) => fused.set(id, (fused.get(id) ?? 0) + 1 / (RRF_K + rank + 1) / best));
  }
  return fused;
}
