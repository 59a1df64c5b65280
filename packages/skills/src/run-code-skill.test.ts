import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ErrorCode, TroupeError, type SubtaskRequest } from '@troupe/protocol';
import { defineSkill } from './define-skill.js';
import { runCodeSkill } from './run-code-skill.js';
import { codeSkillTool } from './code-skill-tool.js';

const request = (input: unknown, overrides: Partial<SubtaskRequest> = {}): SubtaskRequest => ({
  taskId: 't',
  tenant: 'default',
  nodeId: 'n',
  attempt: 1,
  skill: 'add',
  instructions: '',
  input,
  quality: 'balanced',
  timeoutMs: 1_000,
  feedback: [],
  stream: false,
  ...overrides,
});

const add = defineSkill({
  name: 'add',
  input: z.object({ a: z.number(), b: z.number() }),
  output: z.object({ sum: z.number() }),
  fromNode: (nodeInput) => (nodeInput as { task: unknown }).task,
  run: async ({ a, b }) => ({ sum: a + b }),
});

describe('runCodeSkill', () => {
  it('maps the node input, runs, and reports cost 0 with a measured latency', async () => {
    const result = await runCodeSkill(add, request({ task: { a: 2, b: 40 }, from: {} }));
    expect(result).toMatchObject({
      output: { sum: 42 },
      model: 'code:add',
      provider: 'code',
      costUsd: 0,
      usage: { inputTokens: 0, outputTokens: 0 },
    });
    expect(result.metrics.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('charges the model calls made through ctx.callModel', async () => {
    const hybrid = defineSkill({
      name: 'hybrid',
      input: z.unknown(),
      output: z.string(),
      run: async (_input, ctx) => (await ctx.callModel({ prompt: 'hi' })).text,
    });
    const result = await runCodeSkill(hybrid, request('x'), {
      callModel: async () => ({
        text: 'hello',
        output: 'hello',
        model: 'm',
        usage: { inputTokens: 3, outputTokens: 2, cachedInputTokens: 0 },
        costUsd: 0.5,
      }),
    });
    expect(result).toMatchObject({ output: 'hello', costUsd: 0.5, usage: { inputTokens: 3, outputTokens: 2 } });
  });

  it('rejects bad input and bad output with typed errors, and turns a throw into NODE_FAILED', async () => {
    await expect(runCodeSkill(add, request({ task: { a: 'two' } }))).rejects.toMatchObject({
      code: ErrorCode.NODE_FAILED,
      message: expect.stringContaining('a:'),
    });
    const liar = defineSkill({
      name: 'liar',
      input: z.unknown(),
      output: z.object({ n: z.number() }),
      run: async () => ({ n: 'one' }) as unknown as { n: number },
    });
    await expect(runCodeSkill(liar, request(1))).rejects.toMatchObject({ code: ErrorCode.OUTPUT_INVALID });
    const thrower = defineSkill({
      name: 'thrower',
      input: z.unknown(),
      output: z.unknown(),
      run: async () => {
        throw new Error('disk full');
      },
    });
    const error = await runCodeSkill(thrower, request(1)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TroupeError);
    expect(error).toMatchObject({ code: ErrorCode.NODE_FAILED, message: 'code skill "thrower" failed: disk full', retryable: false });
    const typed = defineSkill({
      name: 'typed',
      input: z.unknown(),
      output: z.unknown(),
      run: async () => {
        throw new TroupeError(ErrorCode.UNAVAILABLE, 'db down');
      },
    });
    await expect(runCodeSkill(typed, request(1))).rejects.toMatchObject({ code: ErrorCode.UNAVAILABLE, retryable: true });
  });

  it('ends at the deadline even when the skill ignores its signal', async () => {
    const stuck = defineSkill({ name: 'stuck', input: z.unknown(), output: z.unknown(), run: () => new Promise(() => undefined) });
    await expect(runCodeSkill(stuck, request(1, { timeoutMs: 50 }))).rejects.toMatchObject({ code: ErrorCode.TIMEOUT });
  });

  it('refuses a name that is no skill name', () => {
    expect(() => defineSkill({ name: 'Bad Name', input: z.unknown(), output: z.unknown(), run: async () => 1 })).toThrow(/not a valid skill name/);
  });
});

describe('codeSkillTool', () => {
  it('shows the model the input JSON Schema and runs the function on its arguments as they are', async () => {
    const tool = codeSkillTool(add, request(null));
    expect(tool.inputSchema).toMatchObject({ type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] });
    await expect(tool.execute({ a: 1, b: 2 }, { signal: new AbortController().signal, callId: '1.1' })).resolves.toEqual({ sum: 3 });
    await expect(tool.execute({ a: 1 }, { signal: new AbortController().signal, callId: '1.2' })).rejects.toMatchObject({
      code: ErrorCode.NODE_FAILED,
    });
  });
});
