/**
 * The second process of context-layer.test.ts: stores a cache answer and ingests a policy document
 * through its own NATS connection and its own USE model, then exits. Argument: the NATS url.
 */
import { readFileSync } from 'node:fs';
import { connect } from '@nats-io/transport-node';
import { CacheEntry, ContextChunk, createContextStore, createSemanticCache, createUseEmbeddingModel, openContextBucket } from '@troupe/context';

const url = process.argv[2] as string;
const connection = await connect({ servers: url });
const embedder = await createUseEmbeddingModel();
const cache = await createSemanticCache({ entries: await openContextBucket(connection, 'troupe_cache', CacheEntry), embedder });
const store = await createContextStore({ chunks: await openContextBucket(connection, 'troupe_context', ContextChunk), embedder });
const key = await cache.store({ tenant: 'acme', skill: 'faq', modelTier: 'local' }, 'How do I reset my password?', {
  output: { reply: 'Use the "Forgot password" link on the sign-in page.' },
  model: 'smollm2-135m',
  costUsd: 0.0004,
});
const policy = readFileSync(new URL('../fixtures/context/refund-policy.md', import.meta.url), 'utf8');
const ingested = await store.ingest('policies', 'refund-policy.md', policy);
cache.dispose();
store.dispose();
await connection.drain();
process.stdout.write(`${JSON.stringify({ key, ingested })}\n`);
