import type { ErrorReply, NodeReport, PipelineDefinition, TaskResult, TaskSubmission } from '@troupe/protocol';
import { taskOutput, type NodeState } from './node-state.js';

interface ResultSource {
  task: TaskSubmission & { id: string };
  pipeline: PipelineDefinition;
  nodes: Record<string, NodeState>;
  startedAt: number;
  failure?: ErrorReply;
}

/** Assembles the reply: the output, a per-node report, and usage and cost summed over every attempt. */
export function buildTaskResult(source: ResultSource): TaskResult {
  const nodes: NodeReport[] = source.pipeline.nodes.map((node) => {
    const state = source.nodes[node.id]!;
    return {
      nodeId: node.id,
      skill: node.skill,
      status: state.status,
      attempts: state.attempt,
      ...(state.result
        ? { model: state.result.model, provider: state.result.provider, output: state.result.output, metrics: state.result.metrics }
        : {}),
      ...(state.result?.toolCalls ? { toolCalls: state.result.toolCalls } : {}),
      ...(state.result?.cache ? { cache: state.result.cache } : {}),
      ...(state.result?.retrieval ? { retrieval: { collection: state.result.retrieval.collection, chunks: state.result.retrieval.chunks } } : {}),
      usage: state.usage,
      costUsd: state.costUsd,
      ...(state.verdict ? { verdict: state.verdict } : {}),
      ...(state.calls ? { calls: state.calls } : {}),
      ...(state.error ? { error: state.error } : {}),
    };
  });
  const usage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
  let costUsd = 0;
  for (const state of Object.values(source.nodes)) {
    usage.inputTokens += state.usage.inputTokens;
    usage.outputTokens += state.usage.outputTokens;
    usage.cachedInputTokens += state.usage.cachedInputTokens;
    costUsd += state.costUsd;
  }
  const failed = source.failure !== undefined;
  return {
    taskId: source.task.id,
    tenant: source.task.tenant,
    status: failed ? 'failed' : 'completed',
    ...(failed ? { error: source.failure } : { output: taskOutput(source.pipeline, source.nodes) }),
    nodes,
    usage,
    costUsd,
    latencyMs: Date.now() - source.startedAt,
  };
}
