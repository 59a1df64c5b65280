import type { Pricing } from '@troupe/models';
import type { TaskResult } from '@troupe/protocol';

/**
 * Prints what the demo shows: the extracted JSON, the policy decision, the final answer, and one row
 * per node with its model, tokens, latency, token confidence (local models), its cost and what the
 * same tokens would have cost on the frontier reference model.
 */
export function printDemoResult(result: TaskResult, frontier: { id: string; pricing: Pricing }, write: (line: string) => void): void {
  const output = (id: string) => result.nodes.find((node) => node.nodeId === id)?.output;
  write('');
  write(`extracted: ${JSON.stringify(output('extract') ?? null)}`);
  write(`policy:    ${JSON.stringify(output('logic') ?? null)}`);
  const answer = output('synthesis') as { answer?: unknown } | undefined;
  write(`answer:    ${typeof answer?.answer === 'string' ? answer.answer : JSON.stringify(result.output ?? null)}`);
  write('');
  write(`node        model                    tokens in/out  latency ms  confidence  cost USD   all-${frontier.id} USD  verdict`);
  let frontierTotal = 0;
  for (const node of result.nodes) {
    const usage = node.usage;
    const onFrontier = usage ? ((usage.inputTokens - (usage.cachedInputTokens ?? 0)) * frontier.pricing.inputPerMTok + (usage.cachedInputTokens ?? 0) * (frontier.pricing.cachedInputPerMTok ?? frontier.pricing.inputPerMTok) + usage.outputTokens * frontier.pricing.outputPerMTok) / 1e6 : 0;
    frontierTotal += onFrontier;
    const confidence = node.metrics?.confidenceMean === undefined ? '-' : `${node.metrics.confidenceMean.toFixed(2)}/${(node.metrics.confidenceMin ?? 0).toFixed(2)}`;
    write(
      [
        node.nodeId.padEnd(12),
        (node.model ?? '-').padEnd(25),
        (usage ? `${usage.inputTokens}/${usage.outputTokens}` : '-').padEnd(15),
        (node.metrics?.latencyMs.toFixed(0) ?? '-').padEnd(12),
        confidence.padEnd(12),
        node.costUsd.toFixed(6).padEnd(11),
        onFrontier.toFixed(6).padEnd(11 + frontier.id.length),
        `${node.verdict?.decision ?? node.status}${node.attempts > 1 ? ` (${node.attempts} attempts)` : ''}`,
      ].join(''),
    );
  }
  write(`total: ${result.usage.inputTokens}+${result.usage.outputTokens} tokens, $${result.costUsd.toFixed(6)} here against $${frontierTotal.toFixed(6)} all-${frontier.id}, ${result.latencyMs} ms`);
  write('confidence: mean/min probability of the tokens the local model chose; code steps have none.');
  if (result.status !== 'completed') write(`failed: ${result.error?.code} ${result.error?.message}`);
}
