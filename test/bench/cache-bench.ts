/**
 * `npm run bench:cache -- --pairs <pairs.jsonl> [--replay <tickets.jsonl>] [--threshold 0.7]`
 *
 * Pairs: `{"id","a","b","same","kind"}` rows; for each, `a` is stored and `b` looked up in a fresh
 * partition (so only that pair can answer). Replay: support tickets in arrival order, each with the
 * id of its correct answer; a miss pays the ticket's cost and stores its answer, a hit is correct
 * only when it returns the same answer id. Prints one JSON line. Uses the real USE model.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createMemoryBucket, createSemanticCache, createUseEmbeddingModel, type CacheEntry } from '@troupe/context';
import { percentile, round } from './stats.js';

const Pair = z.object({ id: z.string(), a: z.string(), b: z.string(), same: z.boolean(), kind: z.string().default('') });
const Ticket = z.object({ id: z.string(), tenant: z.string(), text: z.string(), answer: z.string(), costUsd: z.number() });
const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: 'test/fixtures/context/cache-pairs.jsonl' },
    replay: { type: 'string', default: 'test/fixtures/context/support-replay.jsonl' },
    threshold: { type: 'string' },
  },
});
const readJsonl = <T>(path: string, schema: z.ZodType<T>) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => schema.parse(JSON.parse(line)));

const pairs = readJsonl(values.pairs, Pair);
const tickets = values.replay ? readJsonl(values.replay, Ticket) : [];
const embedder = await createUseEmbeddingModel();
const threshold = values.threshold ? Number(values.threshold) : undefined;
const cache = await createSemanticCache({ entries: createMemoryBucket<CacheEntry>(), embedder, ...(threshold !== undefined ? { defaultThreshold: threshold } : {}) });

const withEmbedding: number[] = [];
const withoutEmbedding: number[] = [];
const byKind: Record<string, { pairs: number; hits: number }> = {};
const falseHits: { id: string; kind: string; similarity: number }[] = [];
let sameHits = 0;
let differentHits = 0;
for (const [index, pair] of pairs.entries()) {
  // A fresh partition per pair: only `a` can answer `b`.
  const partition = { tenant: 'bench', skill: `pair-${index}`, modelTier: 'local' };
  await cache.store(partition, pair.a, { output: pair.id, model: 'bench', costUsd: 0 });
  const lookup = await cache.lookup(partition, pair.b);
  withEmbedding.push(lookup.lookupMs);
  withoutEmbedding.push(lookup.lookupMs - lookup.embeddingMs);
  const kind = (byKind[pair.kind || (pair.same ? 'same' : 'different')] ??= { pairs: 0, hits: 0 });
  kind.pairs += 1;
  if (lookup.hit) kind.hits += 1;
  if (lookup.hit && pair.same) sameHits += 1;
  if (lookup.hit && !pair.same) {
    differentHits += 1;
    falseHits.push({ id: pair.id, kind: pair.kind, similarity: round(lookup.hit.similarity) });
  }
}

// Replay: one partition per tenant, shared by every ticket of that tenant, in arrival order.
const replay = { tickets: tickets.length, hits: 0, falseHits: 0, costUsd: 0, costWithoutCacheUsd: 0 };
for (const ticket of tickets) {
  const partition = { tenant: ticket.tenant, skill: 'support', modelTier: 'local' };
  replay.costWithoutCacheUsd += ticket.costUsd;
  const { hit } = await cache.lookup(partition, ticket.text);
  if (hit) {
    replay.hits += 1;
    if (hit.output !== ticket.answer) replay.falseHits += 1;
    continue;
  }
  replay.costUsd += ticket.costUsd;
  await cache.store(partition, ticket.text, { output: ticket.answer, model: 'bench', costUsd: ticket.costUsd });
}
cache.dispose();

const same = pairs.filter((pair) => pair.same).length;
const different = pairs.length - same;
process.stdout.write(
  `${JSON.stringify({
    bench: 'cache',
    embedder: embedder.modelId,
    pairs: pairs.length,
    hit_rate: round(same ? sameHits / same : 0),
    false_hit_rate: round(different ? differentHits / different : 0),
    threshold: cache.threshold('any'),
    lookup_ms_with_embedding: { p50: round(percentile(withEmbedding, 50), 2), p99: round(percentile(withEmbedding, 99), 2) },
    lookup_ms_without_embedding: { p50: round(percentile(withoutEmbedding, 50), 3), p99: round(percentile(withoutEmbedding, 99), 3) },
    by_kind: Object.fromEntries(Object.entries(byKind).map(([kind, counts]) => [kind, round(counts.hits / counts.pairs)])),
    false_hits: falseHits,
    replay: {
      tickets: replay.tickets,
      hit_rate: round(replay.tickets ? replay.hits / replay.tickets : 0),
      false_hits: replay.falseHits,
      cost_usd: round(replay.costUsd, 4),
      cost_without_cache_usd: round(replay.costWithoutCacheUsd, 4),
      cost_saved_usd: round(replay.costWithoutCacheUsd - replay.costUsd, 4),
    },
  })}\n`,
);
