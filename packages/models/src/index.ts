export type {
  CallOptions,
  ChatMessage,
  EmbeddingModel,
  FinishReason,
  GenerateResult,
  GenerationMetrics,
  LanguageModel,
  RepeatPenalty,
  StreamPart,
} from './language-model.js';
export {
  Capability,
  ModelConfig,
  ModelProvider,
  Pricing,
  RegistryConfig,
  type ModelConfigInput,
  type RegistryConfigInput,
} from './model-config.js';
export { costOf, maxCostOf } from './cost.js';
export { createEchoModel, exampleOf } from './echo-model.js';
export { createTemplateModel } from './template-model.js';
export { singleChunkStream } from './single-chunk-stream.js';
export { contentHash, createCachedEmbeddingModel, type CachedEmbeddingModel, type CachedEmbeddingModelOptions } from './cached-embedding-model.js';
export { silentLogger, type Logger } from './logger.js';
