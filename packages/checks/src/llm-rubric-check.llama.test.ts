import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLlama, LlamaChatSession, type Llama, type LlamaContext, type LlamaModel } from 'node-llama-cpp';
import { createEchoModel, type CallOptions, type LanguageModel } from '@troupe/models';
import { createLlmRubricCheck } from './llm-rubric-check.js';
import { RUBRIC_RESPONSE_SCHEMA } from './rubric-prompt.js';

// Model-dependent test: the rubric check on a real GGUF through node-llama-cpp, called directly so
// this package does not depend on @troupe/llama. stories260K writes children's stories, not
// judgements, so the test pins the code path (prompt → grammar-constrained JSON → validation →
// decision or escalation), not the quality of the judgement.
const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MODEL_FILE = 'stories260K.gguf';
const candidates = [process.env.TROUPE_MODELS_DIR, path.join(repositoryRoot, 'shared/models'), path.join(repositoryRoot, '../shared/models'), path.join(repositoryRoot, 'models')];
const modelsDirectory = candidates.find((directory) => directory !== undefined && existsSync(path.join(directory, MODEL_FILE)));

/** The smallest LanguageModel over node-llama-cpp: one chat session per call, JSON by grammar. */
function llamaJudge(llama: Llama, context: LlamaContext): LanguageModel & { replies: string[] } {
  const replies: string[] = [];
  return {
    specificationVersion: 'troupe.v1',
    provider: 'llama-cpp',
    modelId: 'stories260K',
    replies,
    async doGenerate(call: CallOptions) {
      const started = performance.now();
      const sequence = context.getSequence();
      try {
        const system = call.messages.find((message) => message.role === 'system')?.content;
        const session = new LlamaChatSession({ contextSequence: sequence, ...(system ? { systemPrompt: system } : {}) });
        const grammar = call.responseSchema ? await llama.createGrammarForJsonSchema(call.responseSchema as never) : undefined;
        const text = await session.prompt(call.messages.at(-1)?.content ?? '', {
          ...(grammar ? { grammar } : {}),
          maxTokens: call.maxOutputTokens ?? 400,
          temperature: call.temperature ?? 0,
          ...(call.signal ? { signal: call.signal } : {}),
        });
        replies.push(text);
        return {
          text,
          usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 },
          finishReason: 'stop',
          metrics: { latencyMs: performance.now() - started, queueWaitMs: 0 },
        };
      } finally {
        sequence.dispose();
      }
    },
    doStream() {
      throw new Error('not used by the rubric check');
    },
  };
}

describe('llm rubric check on a real GGUF model', () => {
  let llama: Llama;
  let model: LlamaModel;
  let context: LlamaContext;

  beforeAll(async () => {
    if (!modelsDirectory) throw new Error(`${MODEL_FILE} not found; set TROUPE_MODELS_DIR (tried ${candidates.filter(Boolean).join(', ')})`);
    llama = await getLlama({ gpu: false, build: 'never' });
    model = await llama.loadModel({ modelPath: path.join(modelsDirectory, MODEL_FILE) });
    // One thread: the default of four oversubscribes small CI machines and runs 25–100× slower.
    context = await model.createContext({ contextSize: 2048, threads: 1 });
  });

  afterAll(async () => {
    await context?.dispose();
    await model?.dispose();
    await llama?.dispose();
  });

  it('gets grammar-constrained JSON from stories260K and judges or escalates on it, never passing unsure', async () => {
    const local = llamaJudge(llama, context);
    const frontier = createEchoModel({ modelId: 'frontier-echo' });
    const check = createLlmRubricCheck({ models: [local, frontier], rubric: 'The story is about a cat.', maxOutputTokens: 200, timeoutMs: 20_000 });
    const result = await check.run({ skill: 'story', context: 'Write a story about a cat.', output: 'Once upon a time there was a cat.' });

    // The grammar made the tiny model write JSON of the requested shape, whatever its content.
    expect(local.replies).toHaveLength(1);
    const reply = JSON.parse(local.replies[0] ?? '') as Record<string, unknown>;
    expect(Object.keys(reply)).toEqual(Object.keys(RUBRIC_RESPONSE_SCHEMA.properties));
    expect(result.detail).not.toMatch(/malformed JSON|no JSON object|timed out|failed:/);

    const score = reply.score as number;
    const decided = typeof score === 'number' && score >= 0 && score <= 1 && reply.pass === score >= 0.7 && Math.abs(score - 0.7) >= 0.1;
    if (decided) {
      expect(result).toMatchObject({ passed: reply.pass, score });
      expect(result.detail).toMatch(/^judged by llama-cpp\/stories260K: /);
    } else {
      // Unsure locally: the echo "frontier" judged instead (its smallest answer is score 0, a fail).
      expect(result).toMatchObject({ passed: false, score: 0 });
      expect(result.detail).toMatch(/^judged by echo\/frontier-echo: score 0 < 0\.7 \(escalated: llama-cpp\/stories260K /);
    }
  });
});
