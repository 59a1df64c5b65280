import { costOf, type LanguageModel, type Pricing } from '@troupe/models';
import { ErrorCode, TroupeError, type SubtaskRequest, type WorkerResult } from '@troupe/protocol';
import { subtaskMessages } from './subtask-prompt.js';

export interface ResolvedModel {
  model: LanguageModel;
  pricing: Pricing;
}

export interface RunSubtaskOptions {
  /** Picks the model for this request (the router's choice, a pinned id, or the worker's default). */
  resolveModel: (request: SubtaskRequest) => ResolvedModel | Promise<ResolvedModel>;
  /** Receives token deltas when the request asks for streaming. */
  onToken?: (delta: string) => void;
  maxOutputTokens?: number;
  workerId?: string;
  signal?: AbortSignal;
}

/** Runs one subtask on one model: prompt, (streamed) generation, JSON parsing, usage and cost. */
export async function runSubtask(request: SubtaskRequest, options: RunSubtaskOptions): Promise<WorkerResult> {
  const { model, pricing } = await options.resolveModel(request);
  const call = {
    messages: subtaskMessages(request),
    ...(request.outputSchema ? { responseSchema: request.outputSchema } : {}),
    ...(options.maxOutputTokens ? { maxOutputTokens: options.maxOutputTokens } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  let text = '';
  let usage;
  let metrics;
  if (request.stream && options.onToken) {
    for await (const part of model.doStream(call)) {
      if (part.type === 'text-delta') {
        text += part.delta;
        options.onToken(part.delta);
      } else {
        ({ usage, metrics } = part);
      }
    }
    if (!usage || !metrics) throw new TroupeError(ErrorCode.PROVIDER_ERROR, `model "${model.modelId}" ended its stream without usage`);
  } else {
    ({ text, usage, metrics } = await model.doGenerate(call));
  }
  return {
    taskId: request.taskId,
    nodeId: request.nodeId,
    attempt: request.attempt,
    output: request.outputSchema ? parseJsonOutput(text, model.modelId) : text,
    text,
    model: model.modelId,
    provider: model.provider,
    usage,
    costUsd: costOf(usage, pricing),
    metrics,
    flagged: false,
    ...(options.workerId ? { worker: options.workerId } : {}),
  };
}

function parseJsonOutput(text: string, modelId: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    // The judge decides what to do with unparseable output; the raw text still travels for its reasons.
    throw new TroupeError(ErrorCode.OUTPUT_INVALID, `model "${modelId}" returned text that is not valid JSON`, {
      cause,
      retryable: true,
      details: { text: text.slice(0, 500) },
    });
  }
}
