import type { CallOptions, GenerateResult, LanguageModel, StreamPart } from '@troupe/models';
import { singleChunkStream } from '@troupe/models';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import type { RecordedBook } from './recorded-rows.js';

/**
 * Billing units per USD. A replay model charges the recorded cost exactly through the ordinary
 * pricing path: it reports `inputTokens = round(cost × 1e9)` and its registry entry is priced at
 * {@link REPLAY_PRICING} ($0.001 per million units), so `costOf(usage, pricing)` is the recorded cost.
 */
export const REPLAY_UNITS_PER_USD = 1e9;
export const REPLAY_PRICING = { inputPerMTok: 1_000_000 / REPLAY_UNITS_PER_USD, outputPerMTok: 0 } as const;

export interface ReplayModelOptions {
  /** Registry id the runtime knows the model by. */
  modelId: string;
  /** The model's name in the recorded rows (e.g. `mistralai/mistral-7b-chat`). */
  recordedModel: string;
  book: RecordedBook;
  /** Wait the recorded `latency_ms` before answering (off by default: benches measure the runtime, not the past). */
  replayLatency?: boolean;
}

/** The prompt a subtask carries: the user message as is, or the `task` (or `prompt`) field of its JSON input. */
function promptCandidates(call: CallOptions): string[] {
  const user = [...call.messages].reverse().find((message) => message.role === 'user')?.content ?? '';
  const candidates = [user];
  try {
    const parsed = JSON.parse(user) as unknown;
    const record = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
    const task = record.task;
    if (typeof task === 'string') candidates.push(task);
    const nested = task !== null && typeof task === 'object' ? (task as Record<string, unknown>).prompt : undefined;
    if (typeof nested === 'string') candidates.push(nested);
    if (typeof record.prompt === 'string') candidates.push(record.prompt);
  } catch {
    // Not JSON: the user message itself is the prompt.
  }
  return candidates;
}

/**
 * A model that answers from recorded outcomes: for the row whose prompt the call carries, it
 * returns `recordedModel`'s recorded response and charges its recorded cost. It never sees the
 * recorded scores; those grade the run afterwards. A prompt with no recording is a typed error.
 */
export function createReplayModel(options: ReplayModelOptions): LanguageModel {
  const generate = async (call: CallOptions): Promise<GenerateResult> => {
    call.signal?.throwIfAborted();
    const started = performance.now();
    const row = promptCandidates(call).map((prompt) => options.book.find(prompt)).find(Boolean);
    if (!row) throw new TroupeError(ErrorCode.BAD_REQUEST, `replay model "${options.modelId}" has no recording for this prompt`);
    const outcome = row.models[options.recordedModel];
    const text = row.responses[options.recordedModel];
    if (!outcome || text === undefined) throw new TroupeError(ErrorCode.BAD_REQUEST, `replay model "${options.modelId}" has no recorded answer by "${options.recordedModel}" for row ${row.id ?? '?'}`);
    if (options.replayLatency && outcome.latency_ms) await new Promise((resolve) => setTimeout(resolve, outcome.latency_ms));
    return {
      text,
      usage: { inputTokens: Math.round(outcome.cost_usd * REPLAY_UNITS_PER_USD), outputTokens: 0, cachedInputTokens: 0 },
      finishReason: 'stop',
      metrics: { latencyMs: performance.now() - started, queueWaitMs: 0 },
      responseModel: options.recordedModel,
    };
  };
  return {
    specificationVersion: 'troupe.v1',
    provider: 'replay',
    modelId: options.modelId,
    doGenerate: generate,
    doStream: (call): AsyncIterable<StreamPart> => singleChunkStream(generate(call)),
  };
}

/** Registry id for a recorded model name: ids allow letters, digits, `_.:-`, so `/` becomes `--`. */
export function replayModelId(recordedModel: string): string {
  return recordedModel.replace(/[^A-Za-z0-9_.:-]/g, '--');
}
