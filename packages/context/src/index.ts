export { createUseEmbeddingModel } from './use-embedding-model.js';
export { cosine, decodeVector, encodeVector } from './vector-math.js';
export { createVectorIndex, type VectorIndex, type VectorIndexOptions, type VectorMatch } from './vector-index.js';
export { createMemoryBucket, openContextBucket, type ContextBucket } from './kv-bucket.js';
export { contentOverlap, guardNearMiss, shapeOf, type GuardDecision, type GuardOptions, type QuestionShape } from './near-miss-guard.js';
export { CacheEntry, entryKey, normaliseQuestion, partitionKey, type CachePartition } from './cache-entry.js';
export {
  createSemanticCache,
  type CacheAnswer,
  type CacheHit,
  type CacheLookup,
  type SemanticCache,
  type SemanticCacheOptions,
} from './semantic-cache.js';
export { Bm25Index, reciprocalRankFusion, RRF_K, type KeywordMatch } from './bm25.js';
export { chunkDocument, documentTypeOf, DocumentType, type ChunkOptions, type DocumentChunk } from './chunker.js';
export { ContextChunk, CollectionName, chunkId, type RetrievedChunk } from './context-chunk.js';
export { createContextStore, type ContextStore, type ContextStoreOptions, type IngestResult, type RetrieveOptions } from './context-store.js';
export { createFaqModel, type FaqModelOptions } from './faq-model.js';
export { formatRetrievedContext } from './retrieved-context.js';
export { ContextBuckets, PendingCacheEntry, createCachePromoter, openContextLayer, type ContextLayer, type ContextLayerOptions } from './context-layer.js';
