import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Index, MetricKind, ScalarKind } from 'usearch';
import { ErrorCode, TroupeError } from '@troupe/protocol';

/** One nearest neighbour: the caller's id and its cosine similarity to the query. */
export interface VectorMatch {
  id: string;
  similarity: number;
}

/** An embedded cosine index over string ids: HNSW in usearch, persisted to disk when given a path. */
export interface VectorIndex {
  readonly dimensions: number;
  readonly size: number;
  /** Adds or replaces the vector for `id`. */
  upsert(id: string, vector: ArrayLike<number>): void;
  remove(id: string): boolean;
  has(id: string): boolean;
  search(vector: ArrayLike<number>, k: number): VectorMatch[];
  /** Writes the index and its id table next to each other; a no-op without `path`. */
  save(): void;
}

export interface VectorIndexOptions {
  dimensions: number;
  /** File to load from (when present) and save to. */
  path?: string;
}

/**
 * Creates a vector index. usearch keys are 64-bit integers, so string ids map through a table that
 * is saved beside the index (`<path>.ids.json`).
 *
 * @example
 * const index = createVectorIndex({ dimensions: 512, path: '.troupe/faq.usearch' });
 * index.upsert('chunk-1', vector);
 * index.search(query, 3); // [{ id: 'chunk-1', similarity: 0.93 }]
 */
export function createVectorIndex(options: VectorIndexOptions): VectorIndex {
  const { dimensions, path } = options;
  const index = new Index({ dimensions, metric: MetricKind.Cos, quantization: ScalarKind.F32, connectivity: 16, expansion_add: 128, expansion_search: 64, multi: false });
  const keyOf = new Map<string, bigint>();
  const idOf = new Map<bigint, string>();
  let nextKey = 1n;
  if (path && existsSync(path)) {
    index.load(path);
    const table = JSON.parse(readFileSync(`${path}.ids.json`, 'utf8')) as { next: string; ids: [string, string][] };
    nextKey = BigInt(table.next);
    for (const [id, key] of table.ids) {
      keyOf.set(id, BigInt(key));
      idOf.set(BigInt(key), id);
    }
  }
  const check = (vector: ArrayLike<number>) => {
    if (vector.length !== dimensions) throw new TroupeError(ErrorCode.BAD_REQUEST, `vector has ${vector.length} dimensions; this index holds ${dimensions}`);
    return Float32Array.from(vector);
  };
  const remove = (id: string) => {
    const key = keyOf.get(id);
    if (key === undefined) return false;
    index.remove(key);
    keyOf.delete(id);
    idOf.delete(key);
    return true;
  };
  return {
    dimensions,
    get size() {
      return keyOf.size;
    },
    upsert(id, vector) {
      const values = check(vector);
      remove(id);
      const key = nextKey;
      nextKey += 1n;
      index.add(key, values);
      keyOf.set(id, key);
      idOf.set(key, id);
    },
    remove,
    has: (id) => keyOf.has(id),
    search(vector, k) {
      if (keyOf.size === 0 || k <= 0) return [];
      const matches = index.search(check(vector), Math.min(k, keyOf.size), 0);
      const found: VectorMatch[] = [];
      matches.keys.forEach((key, position) => {
        const id = idOf.get(key);
        // usearch's cosine metric is a distance (1 − cosine).
        if (id !== undefined) found.push({ id, similarity: 1 - (matches.distances[position] as number) });
      });
      return found;
    },
    save() {
      if (!path) return;
      mkdirSync(dirname(path), { recursive: true });
      index.save(path);
      writeFileSync(`${path}.ids.json`, JSON.stringify({ next: nextKey.toString(), ids: [...keyOf].map(([id, key]) => [id, key.toString()]) }));
    },
  };
}
