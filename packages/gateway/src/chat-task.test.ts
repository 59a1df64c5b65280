import { describe, expect, it } from 'vitest';
import { TaskSubmission } from '@troupe/protocol';
import { ChatCompletionRequest } from './chat-completion-request.js';
import { chatTask, targetOf } from './chat-task.js';

const options = { taskId: 'task-1', skill: 'generate', timeoutMs: 30_000, requestId: 'req_1' };

describe('chatTask', () => {
  it('makes a model request a one-node task that carries the conversation, limits and user', () => {
    const request = ChatCompletionRequest.parse({
      model: 'echo',
      messages: [{ role: 'developer', content: 'Be brief.' }, { role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      max_tokens: 32,
      temperature: 0.5,
      user: 'u-1',
      stream: true,
    });
    const task = TaskSubmission.parse(chatTask(request, targetOf('echo'), { ...options, budgetUsd: 2 }));
    expect(task).toMatchObject({ id: 'task-1', input: 'Hi', budgetUsd: 2, metadata: { source: 'gateway', user: 'u-1' } });
    expect(task.plan!.nodes[0]).toMatchObject({
      skill: 'generate',
      model: 'echo',
      maxAttempts: 1,
      chat: { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }], maxTokens: 32, temperature: 0.5, stream: true },
    });
  });

  it('runs a pipeline with the last user message, and leaves troupe/auto unpinned', () => {
    const request = ChatCompletionRequest.parse({ model: 'troupe/pipeline/triage', messages: [{ role: 'user', content: 'first' }, { role: 'assistant', content: 'ok' }, { role: 'user', content: 'last' }] });
    expect(chatTask(request, targetOf(request.model), options)).toMatchObject({ pipeline: 'triage', input: 'last' });
    const auto = chatTask({ ...request, model: 'troupe/auto' }, targetOf('troupe/auto'), options);
    expect(auto.plan!.nodes[0]!.model).toBeUndefined();
  });

  it('turns tools with a named tool_choice into an output schema pinned to that function', () => {
    const request = ChatCompletionRequest.parse({
      model: 'echo',
      messages: [{ role: 'user', content: 'A-1' }],
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { id: { type: 'string' } } } } }],
      tool_choice: { type: 'function', function: { name: 'lookup' } },
    });
    const node = chatTask(request, targetOf('echo'), options).plan!.nodes[0]!;
    expect(node.outputSchema).toMatchObject({ properties: { toolCalls: { minItems: 1, items: { properties: { name: { const: 'lookup' } } } } } });
    expect(node.instructions).toContain('lookup');
    expect(() => chatTask({ ...request, tool_choice: { type: 'function', function: { name: 'nope' } } }, targetOf('echo'), options)).toThrow(/not in "tools"/);
  });

  it('refuses a json_schema that is not an object or array schema', () => {
    const request = ChatCompletionRequest.parse({ model: 'echo', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_schema', json_schema: { name: 's', schema: { type: 'string' } } } });
    expect(() => chatTask(request, targetOf('echo'), options)).toThrow(/must describe an object or array/);
  });
});
