import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLlama, LlamaChatSession, type Llama, type LlamaContext } from 'node-llama-cpp';
import { createDegenerationCheck } from './degeneration-check.js';

// Real SmolLM2-135M-Instruct output, generated here (greedy, so it is the same every run), called
// through node-llama-cpp directly so this package does not depend on @troupe/llama. The prompt is
// the demo's synthesis step as the worker sends it.
const MODEL_FILE = 'SmolLM2-135M-Instruct-Q4_1.gguf';
const directory = process.env.TROUPE_MODELS_DIR;
if (!directory || !existsSync(path.join(directory, MODEL_FILE))) throw new Error(`set TROUPE_MODELS_DIR to a directory with ${MODEL_FILE}`);

const system = [
  'Write the requested answer using the input and the outputs of earlier steps.',
  'Write one sentence that answers the text, using the extracted facts.',
  'Answer with JSON only, matching this JSON Schema: {"type":"object","properties":{"answer":{"type":"string","maxLength":200}},"required":["answer"],"additionalProperties":false}',
].join('\n\n');
const user = JSON.stringify({
  task: 'Ada lives in Paris and wants a refund for a broken kettle.',
  from: { extract: { name: 'Ada', city: 'Paris' }, logic: { decision: 'refund', reason: 'A broken item bought within 30 days is refunded in full.' } },
});
const schema = { type: 'object', properties: { answer: { type: 'string', maxLength: 200 } }, required: ['answer'], additionalProperties: false } as const;

describe('degeneration check on real SmolLM2-135M output', () => {
  let llama: Llama;
  let context: LlamaContext;
  beforeAll(async () => {
    llama = await getLlama({ gpu: false, build: 'never', maxThreads: 1, progressLogs: false });
    const model = await llama.loadModel({ modelPath: path.join(directory, MODEL_FILE) });
    context = await model.createContext({ contextSize: 1024, threads: 1 });
  });
  afterAll(() => llama?.dispose());

  const answer = async (repeatPenalty: false | { penalty: number; frequencyPenalty: number; presencePenalty: number; lastTokens: number }) => {
    const sequence = context.getSequence();
    try {
      const session = new LlamaChatSession({ contextSequence: sequence, systemPrompt: system, autoDisposeSequence: false });
      const text = await session.prompt(user, { grammar: await llama.createGrammarForJsonSchema(schema), maxTokens: 60, temperature: 0, repeatPenalty });
      session.dispose();
      return (JSON.parse(text.endsWith('}') ? text : `${text}"}`) as { answer: string }).answer;
    } finally {
      await sequence.dispose();
    }
  };

  it('fails the looping synthesis SmolLM2 writes without penalties, and passes the one it writes with the retry penalties', async () => {
    const check = createDegenerationCheck();
    const plain = await answer(false);
    const verdict = await check.run({ skill: 'generate', output: { answer: plain } });
    expect(verdict.passed, plain).toBe(false);
    expect(verdict.detail).toMatch(/repeats the sentence|times/);
    const penalised = await answer({ penalty: 1.35, frequencyPenalty: 0.6, presencePenalty: 0.6, lastTokens: 128 });
    const retried = await check.run({ skill: 'generate', output: { answer: penalised } });
    expect(retried.passed, penalised).toBe(true);
  }, 60_000);
});
