export { DEFAULT_MAX_TOOL_STEPS, runToolLoop, type Tool, type ToolCallRecord, type ToolContext, type ToolLoopOptions, type ToolLoopResult } from './tool-loop.js';
export { withTools, type WithToolsOptions } from './with-tools.js';
export { connectMcpTools, type McpToolSource } from './mcp-tools.js';
export { McpServerConfig, McpToolsConfig, type McpServerConfigInput } from './mcp-server-config.js';
