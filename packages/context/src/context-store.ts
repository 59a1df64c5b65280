import { ErrorCode, TroupeError } from '@troupe/protocol';
import type { EmbeddingModel } from '@troupe/models';
import { Bm25Index, reciprocalRankFusion } from './bm25.js';
import { chunkDocument, type ChunkOptions } from './chunker.js';
import { ContextChunk, CollectionName, chunkId, type RetrievedChunk } from './context-chunk.js';
import type { ContextBucket } from './kv-bucket.js';
import { createVectorIndex, type VectorIndex } from './vector-index.js';
import { cosine, decodeVector, encodeVector } from './vector-math.js';

export interface RetrieveOptions {
  collection: string;
  query: string;
  /** Chunks returned. Default 4. */
  k?: number;
  /** Drop chunks whose fused score (0–1) is below this. */
  minScore?: number;
}

export interface IngestResult {
  collection: string;
  source: string;
  chunks: number;
  added: number;
  /** Chunks already stored (same text): ingesting a file twice adds nothing. */
  unchanged: number;
  /** Chunks of an earlier version of this source that are gone now. */
  removed: number;
}

export interface ContextStoreOptions {
  chunks: ContextBucket<ContextChunk>;
  embedder: EmbeddingModel;
  /** Largest document accepted, in bytes. Default 2 MiB. */
  maxDocumentBytes?: number;
  chunking?: ChunkOptions;
}

/** Collections of chunks with hybrid (BM25 + vector, RRF-fused) retrieval, mirrored from KV. */
export interface ContextStore {
  ingest(collection: string, source: string, content: string): Promise<IngestResult>;
  retrieve(options: RetrieveOptions): Promise<RetrievedChunk[]>;
  collections(): { name: string; chunks: number }[];
  /** Deletes every chunk of a collection; returns how many. */
  drop(collection: string): Promise<number>;
  dispose(): void;
}

interface Collection {
  chunks: Map<string, ContextChunk>;
  keywords: Bm25Index;
  vectors: VectorIndex;
}

/**
 * Opens a context store over a chunk bucket. Every node mirrors the bucket, so a collection ingested
 * from the CLI on one machine is retrievable by workers on all of them.
 *
 * @example
 * const store = await createContextStore({ chunks: await openContextBucket(nc, 'troupe_context', ContextChunk), embedder });
 * await store.ingest('policies', 'refunds.md', markdown);
 * const top = await store.retrieve({ collection: 'policies', query: 'refund window', k: 3 });
 */
export async function createContextStore(options: ContextStoreOptions): Promise<ContextStore> {
  const maxBytes = options.maxDocumentBytes ?? 2 * 1024 * 1024;
  const collections = new Map<string, Collection>();
  const collectionOf = (name: string) => {
    let collection = collections.get(name);
    if (!collection) {
      collection = { chunks: new Map(), keywords: new Bm25Index(), vectors: createVectorIndex({ dimensions: options.embedder.dimensions }) };
      collections.set(name, collection);
    }
    return collection;
  };
  const apply = (key: string, chunk: ContextChunk | undefined) => {
    const [name, id] = key.split('.') as [string, string];
    const collection = collectionOf(name);
    if (!chunk) {
      collection.chunks.delete(id);
      collection.keywords.remove(id);
      collection.vectors.remove(id);
      return;
    }
    collection.chunks.set(id, chunk);
    collection.keywords.upsert(id, chunk.text);
    collection.vectors.upsert(id, decodeVector(chunk.vector));
  };
  const mirror = await options.chunks.mirror(apply);
  const embed = async (texts: string[]) => (await options.embedder.doEmbed(texts)).embeddings;
  const checkName = (collection: string) => {
    const parsed = CollectionName.safeParse(collection);
    if (!parsed.success) throw new TroupeError(ErrorCode.BAD_REQUEST, `collection name "${collection}" is invalid: use letters, digits, "_" and "-"`);
  };

  return {
    async ingest(collection, source, content) {
      checkName(collection);
      const bytes = Buffer.byteLength(content);
      if (bytes > maxBytes) {
        throw new TroupeError(ErrorCode.PAYLOAD_TOO_LARGE, `"${source}" is ${bytes} bytes; documents are limited to ${maxBytes}`, { details: { source, bytes, maxBytes } });
      }
      const pieces = chunkDocument(source, content, options.chunking);
      const existing = collectionOf(collection);
      const ids = pieces.map((piece) => chunkId(piece.text));
      const fresh = pieces.filter((piece, index) => !existing.chunks.has(ids[index] as string) && ids.indexOf(ids[index] as string) === index);
      const vectors = fresh.length > 0 ? await embed(fresh.map((piece) => piece.text)) : [];
      const now = Date.now();
      for (const [index, piece] of fresh.entries()) {
        const chunk: ContextChunk = { collection, source, text: piece.text, metadata: { ...piece.metadata, source }, vector: encodeVector(vectors[index] as number[]), ingestedAt: now };
        const key = `${collection}.${chunkId(piece.text)}`;
        await options.chunks.put(key, chunk);
        apply(key, chunk);
      }
      // A changed file replaces its old version: chunks of this source that the new text lacks go.
      const keep = new Set(ids);
      const stale = [...existing.chunks].filter(([id, chunk]) => chunk.source === source && !keep.has(id)).map(([id]) => id);
      for (const id of stale) {
        await options.chunks.delete(`${collection}.${id}`);
        apply(`${collection}.${id}`, undefined);
      }
      return { collection, source, chunks: pieces.length, added: fresh.length, unchanged: new Set(ids).size - fresh.length, removed: stale.length };
    },
    async retrieve({ collection: name, query, k = 4, minScore }) {
      checkName(name);
      const collection = collections.get(name);
      if (!collection || collection.chunks.size === 0) {
        throw new TroupeError(ErrorCode.NOT_FOUND, `collection "${name}" is empty or does not exist; ingest documents into it first`, { details: { collection: name } });
      }
      if (!query.trim()) throw new TroupeError(ErrorCode.BAD_REQUEST, 'the retrieval query is empty');
      const depth = Math.max(k * 4, 20);
      const [vector] = await embed([query]);
      const byVector = collection.vectors.search(vector as number[], depth).map((match) => match.id);
      const byKeyword = collection.keywords.search(query, depth).map((match) => match.id);
      const fused = reciprocalRankFusion([byVector, byKeyword]);
      return [...fused]
        .sort((left, right) => right[1] - left[1])
        .filter(([, score]) => minScore === undefined || score >= minScore)
        .slice(0, k)
        .flatMap(([id, score]) => {
          const chunk = collection.chunks.get(id);
          if (!chunk) return [];
          return [{ id, source: chunk.source, text: chunk.text, metadata: chunk.metadata, score, similarity: cosine(vector as number[], decodeVector(chunk.vector)) }];
        });
    },
    collections: () => [...collections].filter(([, collection]) => collection.chunks.size > 0).map(([name, collection]) => ({ name, chunks: collection.chunks.size })),
    async drop(collection) {
      const keys = await options.chunks.keys(collection);
      for (const key of keys) {
        await options.chunks.delete(key);
        apply(key, undefined);
      }
      return keys.length;
    },
    dispose() {
      mirror.stop();
    },
  };
}
