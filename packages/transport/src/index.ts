export { connectNats, NatsOptions, redactUrl } from './connection.js';
export { DEFAULT_MAX_JSON_DEPTH, decodeJson, encodeJson, exceedsJsonDepth } from './codec.js';
export { IdempotencyCache } from './idempotency-cache.js';
export { silentLogger, type Logger } from './logger.js';
export { requestJson, type RequestOptions } from './request.js';
export {
  createTroupeService,
  defineEndpoint,
  type EndpointDefinition,
  type IdempotencyStore,
  type RequestContext,
  type TroupeService,
  type TroupeServiceOptions,
} from './troupe-service.js';
export { extractTraceContext, injectTraceContext } from './trace-context.js';
