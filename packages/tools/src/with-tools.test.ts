import { describe, expect, it } from 'vitest';
import type { CallOptions, GenerateResult, LanguageModel } from '@troupe/models';
import type { Tool } from './tool-loop.js';
import { withTools } from './with-tools.js';

/** Replies from a script and records each call: what the loop sends is under test, not a model. */
function scripted(replies: string[]): LanguageModel & { calls: CallOptions[] } {
  const calls: CallOptions[] = [];
  const doGenerate = async (call: CallOptions): Promise<GenerateResult> => {
    calls.push(call);
    return {
      text: replies[calls.length - 1] ?? '{"tool_calls":[],"answer":"end"}',
      usage: { inputTokens: 10, outputTokens: 2, cachedInputTokens: 0 },
      finishReason: 'stop',
      metrics: { latencyMs: 1, queueWaitMs: 0 },
    };
  };
  return { specificationVersion: 'troupe.v1', provider: 'scripted', modelId: 'scripted', calls, doGenerate, doStream: async function* () {} };
}

const tool = (name: string, answer: unknown): Tool => ({
  name,
  description: `the ${name} tool`,
  inputSchema: { type: 'object' },
  execute: async () => answer,
});

describe('withTools', () => {
  it('hides the loop: one answer, usage of every turn, the tool calls on the result', async () => {
    const model = scripted(['{"tool_calls":[{"name":"lookup","arguments":{"id":"A-1"}}],"answer":""}', '{"tool_calls":[],"answer":"shipped"}']);
    const result = await withTools(model, [tool('lookup', { status: 'shipped' })]).doGenerate({
      messages: [{ role: 'user', content: 'status of A-1?' }],
    });
    expect(result.text).toBe('shipped');
    expect(result.usage).toMatchObject({ inputTokens: 20, outputTokens: 4 });
    expect(result.toolCalls).toMatchObject([{ name: 'lookup', arguments: { id: 'A-1' }, result: '{"status":"shipped"}', isError: false }]);
  });

  it('wrapping a tool-using model again adds the tools to the same loop instead of nesting a second loop', async () => {
    const model = scripted([
      '{"tool_calls":[{"name":"code-tool","arguments":{}},{"name":"mcp-tool","arguments":{}}],"answer":""}',
      '{"tool_calls":[],"answer":"both ran"}',
    ]);
    const once = withTools(model, [tool('code-tool', 'c')], { maxSteps: 2 });
    const twice = withTools(once, [tool('mcp-tool', 'm')], { maxSteps: 4 });
    const result = await twice.doGenerate({ messages: [{ role: 'user', content: 'go' }] });
    expect(result.text).toBe('both ran');
    expect(result.toolCalls?.map((call) => [call.name, call.isError])).toEqual([
      ['code-tool', false],
      ['mcp-tool', false],
    ]);
    // One loop: two model calls, and the first already offered both tools.
    expect(model.calls).toHaveLength(2);
    expect(model.calls[0]!.messages[0]!.content).toContain('code-tool');
    expect(model.calls[0]!.messages[0]!.content).toContain('mcp-tool');
  });
});
