export { createGateway, type Gateway, type GatewayOptions, type MountedHandler } from './gateway-server.js';
export { ApiKeyConfig, ApiKeys, type ApiKeyConfigInput, type Caller } from './api-keys.js';
export { ChatCompletionRequest } from './chat-completion-request.js';
export { AUTO_MODEL, PIPELINE_PREFIX, chatTask, targetOf, type ChatTarget } from './chat-task.js';
export { GatewayError, type OpenAIErrorBody } from './openai-error.js';
export { StopSequences } from './stop-sequences.js';
export { TroupeDirectory } from './troupe-directory.js';
export { createTroupeMcpServer, type TroupeMcpServerOptions } from './troupe-mcp-server.js';
