import { costOf, type CallOptions, type ChatMessage, type GenerateResult, type LanguageModel, type Pricing } from '@troupe/models';
import { ErrorCode, TroupeError, type SubtaskRequest, type TokenUsage, type WorkerResult } from '@troupe/protocol';
import { lowConfidence } from './confidence-flag.js';
import { withRepeatPenalty } from './repeat-penalty.js';
import { subtaskMessages } from './subtask-prompt.js';

export interface ResolvedModel {
  model: LanguageModel;
  pricing: Pricing;
  /** Pricing of another registry model, for calls a fallback chain sent there (`servedBy`). */
  pricingOf?: (modelId: string) => Pricing | undefined;
  /** The highest price of any model that may answer (a fallback chain's dearest member): what a budget reserves at. */
  reservePricing?: Pricing;
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

type Generation = Pick<GenerateResult, 'text' | 'usage' | 'metrics' | 'servedBy' | 'confidence' | 'metadata' | 'toolCalls'>;

/** The registry id and pricing of whoever answered: the resolved model, or a fallback it delegated to. */
function served(resolved: ResolvedModel, generation: Generation): { modelId: string; pricing: Pricing } {
  const pricing = generation.servedBy ? resolved.pricingOf?.(generation.servedBy) : undefined;
  return generation.servedBy && pricing ? { modelId: generation.servedBy, pricing } : { modelId: resolved.model.modelId, pricing: resolved.pricing };
}

/**
 * Runs one subtask: prompt, (streamed) generation, JSON parsing, usage and cost. With an
 * `advisor`, the worker's own model may flag the step as unsure; only then is the (dearer)
 * advisor consulted, and both calls are charged.
 */
export async function runSubtask(request: SubtaskRequest, options: RunSubtaskOptions): Promise<WorkerResult> {
  const primary = await options.resolveModel(request);
  const messages = subtaskMessages(request);
  const base = {
    taskId: request.taskId,
    nodeId: request.nodeId,
    attempt: request.attempt,
    model: primary.model.modelId,
    provider: primary.model.provider,
    ...(options.workerId ? { worker: options.workerId } : {}),
  };
  if (!request.advisor) {
    const generation = await generate(primary.model, call(messages, request.outputSchema, options, request.chat), request, options);
    const answered = served(primary, generation);
    return {
      ...base,
      model: answered.modelId,
      output: request.outputSchema ? parseJsonOutput(generation.text, answered.modelId) : generation.text,
      text: generation.text,
      usage: generation.usage,
      costUsd: costOf(generation.usage, answered.pricing),
      metrics: generation.metrics,
      flagged: false,
      // A model that knows its own confidence (a classifier) reports it for judge gates to read.
      ...(generation.confidence !== undefined ? { confidence: generation.confidence } : {}),
      ...(generation.metadata ? { metadata: generation.metadata } : {}),
      ...(generation.toolCalls?.length ? { toolCalls: generation.toolCalls } : {}),
    };
  }

  const draftSchema = {
    type: 'object',
    properties: { answer: request.outputSchema ?? { type: 'string' }, unsure: { type: 'boolean' } },
    required: ['answer', 'unsure'],
  };
  const draftMessages: ChatMessage[] = [
    { role: 'system', content: `${messages[0]!.content}\n\nSet "unsure" to true when you are not confident; a senior advisor will then answer instead.` },
    messages[1]!,
  ];
  const draft = await generate(primary.model, call(draftMessages, draftSchema, options), request, options);
  const drafted = parseJsonOutput(draft.text, primary.model.modelId) as { answer: unknown; unsure: boolean };
  const draftCost = costOf(draft.usage, primary.pricing);
  // The model's word, or its own token probabilities where the confidence table supports them (confidence-flag.ts).
  if (!drafted.unsure && !lowConfidence(request, draft.metrics)) {
    return { ...base, output: drafted.answer, text: draft.text, usage: draft.usage, costUsd: draftCost, metrics: draft.metrics, flagged: false };
  }
  const advisor = await options.resolveModel({ ...request, model: request.advisor });
  const advice = await generate(
    advisor.model,
    call(
      [
        ...messages,
        { role: 'assistant', content: JSON.stringify(drafted.answer) },
        { role: 'user', content: 'The assistant above flagged this answer as unsure. As the advisor, give the correct final answer.' },
      ],
      request.outputSchema,
      options,
    ),
    request,
    options,
  );
  return {
    ...base,
    output: request.outputSchema ? parseJsonOutput(advice.text, advisor.model.modelId) : advice.text,
    text: advice.text,
    usage: addUsage(draft.usage, advice.usage),
    costUsd: draftCost + costOf(advice.usage, advisor.pricing),
    metrics: { ...advice.metrics, latencyMs: draft.metrics.latencyMs + advice.metrics.latencyMs },
    flagged: true,
    advisorModel: advisor.model.modelId,
  };
}

function call(messages: ChatMessage[], schema: Record<string, unknown> | undefined, options: RunSubtaskOptions, chat?: SubtaskRequest['chat']): CallOptions {
  // A chat request's own max_tokens / temperature win over the worker's defaults.
  const maxOutputTokens = chat?.maxTokens ?? options.maxOutputTokens;
  return {
    messages,
    ...(schema ? { responseSchema: schema } : {}),
    ...(maxOutputTokens ? { maxOutputTokens } : {}),
    ...(chat?.temperature !== undefined ? { temperature: chat.temperature } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

async function generate(model: LanguageModel, unpenalised: CallOptions, request: SubtaskRequest, options: RunSubtaskOptions): Promise<Generation> {
  const callOptions = withRepeatPenalty(unpenalised, request);
  if (!request.stream || !options.onToken) return model.doGenerate(callOptions);
  let text = '';
  for await (const part of model.doStream(callOptions)) {
    if (part.type === 'text-delta') {
      text += part.delta;
      options.onToken(part.delta);
    } else {
      return { text, usage: part.usage, metrics: part.metrics, ...(part.servedBy ? { servedBy: part.servedBy } : {}) };
    }
  }
  throw new TroupeError(ErrorCode.PROVIDER_ERROR, `model "${model.modelId}" ended its stream without usage`);
}

function addUsage(left: TokenUsage, right: TokenUsage): TokenUsage {
  return {
    inputTokens: left.inputTokens + right.inputTokens,
    outputTokens: left.outputTokens + right.outputTokens,
    cachedInputTokens: (left.cachedInputTokens ?? 0) + (right.cachedInputTokens ?? 0),
  };
}

function parseJsonOutput(text: string, modelId: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    // The planner retries; the raw text still travels (truncated) so the failure can be read.
    throw new TroupeError(ErrorCode.OUTPUT_INVALID, `model "${modelId}" returned text that is not valid JSON`, {
      cause,
      retryable: true,
      details: { text: text.slice(0, 500) },
    });
  }
}
