import type { ChatCompletionRequest } from './chat-completion-request.js';

type Tools = NonNullable<ChatCompletionRequest['tools']>;

/**
 * OpenAI `tools` as an output contract every model can keep: the node's output must be JSON
 * `{ content, toolCalls: [{ name, arguments }] }`, enforced by grammar on local models and by
 * JSON-schema mode on frontier APIs, and checked by the judge's schema check like any output.
 * `tool_choice: "required"` needs at least one call; a named function pins the call's name and
 * its arguments to that function's parameter schema.
 */
export function toolOutputSchema(tools: Tools, choice: ChatCompletionRequest['tool_choice']): Record<string, unknown> {
  const named = typeof choice === 'object' ? tools.find((tool) => tool.function.name === choice.function.name) : undefined;
  const call = named
    ? { type: 'object', properties: { name: { const: named.function.name }, arguments: named.function.parameters ?? { type: 'object' } }, required: ['name', 'arguments'] }
    : { type: 'object', properties: { name: { enum: tools.map((tool) => tool.function.name) }, arguments: { type: 'object' } }, required: ['name', 'arguments'] };
  return {
    type: 'object',
    properties: {
      content: { type: 'string' },
      toolCalls: { type: 'array', minItems: named || choice === 'required' ? 1 : 0, maxItems: 8, items: call },
    },
    required: ['content', 'toolCalls'],
  };
}

/** The instructions that tell the model which tools it may call and how. */
export function toolInstructions(tools: Tools): string {
  const list = tools
    .map((tool) => `- ${tool.function.name}: ${tool.function.description ?? ''} Parameters (JSON Schema): ${JSON.stringify(tool.function.parameters ?? {})}`)
    .join('\n');
  return `You may call these functions:\n${list}\nTo call functions, list them in "toolCalls" with their JSON arguments and leave "content" empty; the caller runs them and sends the results back. Otherwise answer in "content" with "toolCalls": [].`;
}
