import { z } from 'zod';
import type { SubtaskRequest } from '@troupe/protocol';
import type { CodeSkill } from './define-skill.js';
import { runCodeSkill, type RunCodeSkillOptions } from './run-code-skill.js';

/** A skill as a tool: structurally the `Tool` of `@troupe/tools`, which this layer may not import. */
export interface SkillTool {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: Record<string, unknown>;
  execute(input: unknown, context: { signal: AbortSignal }): Promise<unknown>;
}

/**
 * Offers a code skill to a model node as a tool (function calling through `@troupe/tools`' one
 * loop). The model's arguments are validated by the skill's `input` schema, which is also the JSON
 * Schema the model is shown; the call runs under the calling node's task, deadline and signal.
 *
 * @example
 * const tools = [codeSkillTool(orderLookup, request, { logger })];
 * const answer = await runToolLoop({ model, tools, messages });
 */
export function codeSkillTool(skill: CodeSkill, request: SubtaskRequest, options: Omit<RunCodeSkillOptions, 'asTool'> = {}): SkillTool {
  const deadline = Date.now() + request.timeoutMs;
  return {
    name: skill.name,
    description: skill.description,
    inputSchema: z.toJSONSchema(skill.input, { unrepresentable: 'any', io: 'input' }) as Record<string, unknown>,
    async execute(input, { signal }) {
      const result = await runCodeSkill(
        skill,
        { ...request, input, timeoutMs: Math.max(1, deadline - Date.now()) },
        { ...options, signal, asTool: true },
      );
      return result.output;
    },
  };
}
