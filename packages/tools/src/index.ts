export { DEFAULT_MAX_TOOL_STEPS, runToolLoop, type Tool, type ToolCallRecord, type ToolContext, type ToolLoopOptions, type ToolLoopResult } from './tool-loop.js';
export { withTools, type WithToolsOptions } from './with-tools.js';
