import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { ChatMessage } from '@troupe/models';
import type { CheckInput } from './check.js';

/** What a judge model must answer with. */
export interface RubricJudgement {
  reasons: string[];
  score: number;
  pass: boolean;
}

/**
 * The JSON Schema sent as `responseSchema`. `reasons` comes first because local models generate
 * properties in schema order under a grammar: writing the reasons before the score lets a small
 * model "think" before it commits to a number. Only keywords a llama.cpp grammar can enforce are
 * used (no `minimum`/`maximum`: the local provider refuses schemas it cannot enforce); the length
 * bounds keep a looping model from running to its token limit.
 */
export const RUBRIC_RESPONSE_SCHEMA = {
  type: 'object',
  properties: {
    reasons: { type: 'array', items: { type: 'string', maxLength: 300 }, maxItems: 5 },
    score: { type: 'number' },
    pass: { type: 'boolean' },
  },
  required: ['reasons', 'score', 'pass'],
  additionalProperties: false,
} as const satisfies Record<string, unknown>;

// What a reply must satisfy to count: the response schema plus the score's range, checked here
// because no grammar enforces it.
const validateJudgement: ValidateFunction<RubricJudgement> = new Ajv2020({ strict: false }).compile<RubricJudgement>({
  ...RUBRIC_RESPONSE_SCHEMA,
  properties: { ...RUBRIC_RESPONSE_SCHEMA.properties, score: { type: 'number', minimum: 0, maximum: 1 } },
});

/** The judge's prompt: rubric, instructions, context and output, each cut to fit `maxInputChars`. */
export function rubricMessages(rubric: string, input: CheckInput, threshold: number, maxInputChars: number): ChatMessage[] {
  const output = typeof input.output === 'string' ? input.output : asJson(input.output);
  // The output is what is judged, so it gets half the budget; context and instructions share the rest.
  const sections = [
    `RUBRIC:\n${rubric}`,
    input.instructions ? `INSTRUCTIONS GIVEN TO THE WORKER:\n${cut(input.instructions, maxInputChars / 8)}` : '',
    input.context ? `CONTEXT GIVEN TO THE WORKER:\n${cut(input.context, (maxInputChars * 3) / 8)}` : '',
    `OUTPUT TO JUDGE (skill "${input.skill}"):\n${cut(output, maxInputChars / 2)}`,
  ].filter(Boolean);
  return [
    {
      role: 'system',
      content:
        'You are a strict evaluator. Judge the OUTPUT against the RUBRIC, using only the CONTEXT and INSTRUCTIONS shown. ' +
        'Answer with JSON only: {"reasons": [short strings], "score": a number from 0 to 1, "pass": boolean}. ' +
        `"pass" must be true exactly when "score" is at least ${threshold}.`,
    },
    { role: 'user', content: sections.join('\n\n') },
  ];
}

/** Reads a judge's reply; fenced or chatty JSON is accepted, a wrong shape is not. */
export function parseRubricJudgement(text: string): { judgement: RubricJudgement } | { problem: string } {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end < start) return { problem: `no JSON object in the reply (${describeText(text)})` };
  let value: unknown;
  try {
    value = JSON.parse(text.slice(start, end + 1));
  } catch (error) {
    return { problem: `malformed JSON: ${(error as Error).message}` };
  }
  if (!validateJudgement(value)) {
    const first = validateJudgement.errors?.[0];
    return { problem: `wrong shape: ${first?.instancePath || '(root)'} ${first?.message ?? 'is invalid'}` };
  }
  return { judgement: value };
}

function asJson(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    // A cycle or a bigint: the judge still sees something rather than failing outright.
    return String(value);
  }
}

function cut(text: string, budget: number): string {
  const limit = Math.max(0, Math.floor(budget));
  return text.length <= limit ? text : `${text.slice(0, limit)}\n[… ${text.length - limit} characters cut]`;
}

function describeText(text: string): string {
  return text.trim() === '' ? 'empty' : `${text.length} characters`;
}
