import type { CallOptions, EmbeddingModel, GenerateResult, LanguageModel, StreamPart } from '@troupe/models';
import { singleChunkStream } from '@troupe/models';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import { OUT_OF_SCOPE_LABEL, type Classifier } from './classifier.js';
import { classifierText } from './classifier-input.js';

/** Where a classifier model gets the classifier it predicts with; a KV watch swaps versions live. */
export interface ClassifierSource {
  /** The classifier to use now, or undefined when none is deployed yet. */
  current(): Classifier | undefined;
}

export interface ClassifierModelOptions {
  modelId: string;
  embedder: EmbeddingModel;
  source: ClassifierSource;
  /** Dot path of the text inside the task input (default: the first string in it). */
  textField?: string;
  /** Output field that carries the label (default `label`; support triage uses `category`). */
  outputField?: string;
  topK?: number;
  /** Runs on dispose, e.g. to stop the KV watch behind `source` and release the embedder. */
  onDispose?: () => Promise<void> | void;
}

/**
 * A classifier behind the LanguageModel contract, so it runs as a worker skill with everything a
 * model skill gets: routing, cascades, judging, costs (zero), traces. Its answer is JSON:
 * `{ <outputField>: label, confidence, covered, outOfScope, topK, classifierVersion, threshold }`.
 * A judge gate on `covered` escalates low-confidence inputs up the node's cascade.
 */
export function createClassifierModel(options: ClassifierModelOptions): LanguageModel & AsyncDisposable {
  const outputField = options.outputField ?? 'label';
  const generate = async (call: CallOptions): Promise<GenerateResult> => {
    const started = performance.now();
    const classifier = options.source.current();
    if (!classifier) throw new TroupeError(ErrorCode.UNAVAILABLE, `no classifier is deployed for model "${options.modelId}" yet`, { retryable: true });
    if (classifier.embeddingModel !== options.embedder.modelId || classifier.dimensions !== options.embedder.dimensions) {
      throw new TroupeError(
        ErrorCode.CONFIG_INVALID,
        `classifier "${classifier.name}" was trained on "${classifier.embeddingModel}" (${classifier.dimensions}-d) but model "${options.modelId}" embeds with "${options.embedder.modelId}" (${options.embedder.dimensions}-d)`,
      );
    }
    checkLabelsAgainstSchema(classifier, call.responseSchema, outputField);
    const userMessage = [...call.messages].reverse().find((message) => message.role === 'user')?.content ?? '';
    const text = classifierText(userMessage, options.textField);
    const { embeddings, usage } = await options.embedder.doEmbed([text], call.signal ? { signal: call.signal } : {});
    const prediction = classifier.predict(embeddings[0]!, options.topK ?? 3);
    const answer = {
      [outputField]: prediction.label,
      confidence: round(prediction.confidence),
      covered: prediction.covered,
      outOfScope: prediction.outOfScope,
      threshold: round(prediction.threshold),
      topK: prediction.topK.map((entry) => ({ label: entry.label, probability: round(entry.probability) })),
      classifierVersion: prediction.version,
    };
    const latencyMs = performance.now() - started;
    return {
      text: JSON.stringify(answer),
      usage: { inputTokens: usage.inputTokens, outputTokens: 0, cachedInputTokens: 0 },
      finishReason: 'stop',
      metrics: { latencyMs, queueWaitMs: 0 },
      responseModel: `${classifier.name}@${classifier.version}`,
      // An out-of-scope input has no confidence in any trained label, so a confidence gate escalates it.
      confidence: prediction.outOfScope ? 0 : answer.confidence,
      metadata: {
        label: prediction.label,
        covered: prediction.covered,
        threshold: answer.threshold,
        classifierVersion: prediction.version,
        outOfScope: prediction.outOfScope,
      },
    };
  };
  let disposed = false;
  return {
    async [Symbol.asyncDispose]() {
      if (disposed) return;
      disposed = true;
      await options.onDispose?.();
    },
    specificationVersion: 'troupe.v1',
    provider: 'classifier',
    modelId: options.modelId,
    doGenerate: generate,
    doStream: (call): AsyncIterable<StreamPart> => singleChunkStream(generate(call)),
  };
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/**
 * A node whose output schema lists its labels (`enum`) must be served by a classifier that knows
 * exactly those labels: a label the deployed version does not know could never be predicted, and a
 * label the schema does not allow would fail every judge. `other` (out of scope) may be absent.
 */
function checkLabelsAgainstSchema(classifier: Classifier, schema: Record<string, unknown> | undefined, outputField: string): void {
  const property = (schema?.properties as Record<string, { enum?: unknown[] }> | undefined)?.[outputField];
  if (!Array.isArray(property?.enum)) return;
  const allowed = new Set(property.enum.map(String));
  const known = new Set(classifier.labels);
  const unknown = [...allowed].filter((label) => label !== OUT_OF_SCOPE_LABEL && !known.has(label));
  const extra = [...known].filter((label) => !allowed.has(label));
  if (unknown.length > 0 || extra.length > 0) {
    throw new TroupeError(
      ErrorCode.CONFIG_INVALID,
      `classifier "${classifier.name}" version ${classifier.version} does not match the node's labels:` +
        (unknown.length > 0 ? ` it does not know ${unknown.map((label) => `"${label}"`).join(', ')};` : '') +
        (extra.length > 0 ? ` the schema does not allow ${extra.map((label) => `"${label}"`).join(', ')};` : '') +
        ' retrain it with these labels or fix the schema',
    );
  }
}
