import { connectNats } from '@troupe/transport';
import { createTroupeClient } from '@troupe/client';
import { tenantInboxPrefix, type NodeReport, type ProgressEvent, type TaskResult } from '@troupe/protocol';
import { createLoadProgress, type LoadProgressOutput } from './load-progress.js';
import { formatMs, formatTable, formatUsd } from './text-table.js';

export interface RunOptions {
  natsUrl: string;
  pipeline: string;
  tenant: string;
  json: boolean;
  timeoutMs: number;
  /** A `.creds` file (user JWT + nkey seed); a tenant's creds allow only its own inbox, so replies use it. */
  credsFile?: string;
  write?: (line: string) => void;
  /** Where model-loading progress goes (default: stdout; a bar when it is a terminal). */
  progressOutput?: LoadProgressOutput;
}

/** `troupe run "<task>"`: submits, shows progress as it happens, prints the verified result. */
export async function runTask(text: string, options: RunOptions): Promise<TaskResult> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const connection = await connectNats({
    servers: options.natsUrl,
    maxReconnectAttempts: 0,
    ...(options.credsFile ? { credsFile: options.credsFile, inboxPrefix: tenantInboxPrefix(options.tenant) } : {}),
  });
  try {
    const client = createTroupeClient({ connection, tenant: options.tenant, timeoutMs: options.timeoutMs });
    const input = parseInput(text);
    const { events, result } = client.runWithProgress({ pipeline: options.pipeline, input });
    const printed = options.json
      ? Promise.resolve()
      : (async () => {
          const loading = createLoadProgress(options.progressOutput ?? { isTTY: Boolean(process.stdout.isTTY), write: (text) => process.stdout.write(text) });
          for await (const event of events) {
            if (event.type === 'model.loading') {
              loading.update(event.model, event.progress);
              continue;
            }
            loading.finish();
            write(describe(event));
          }
        })();
    const outcome = await result;
    // Events travel separately from the reply; let the last ones print before the summary.
    await Promise.race([printed, new Promise((resolve) => setTimeout(resolve, 500))]);
    if (options.json) write(JSON.stringify(outcome, null, 2));
    else printResult(outcome, write);
    return outcome;
  } finally {
    await connection.drain();
  }
}

function parseInput(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function describe(event: Exclude<ProgressEvent, { type: 'model.loading' }>): string {
  switch (event.type) {
    case 'task.accepted':
      return `task ${event.taskId} accepted`;
    case 'plan.ready':
      return `plan: ${event.nodes.map((node) => (node.dependsOn.length ? `${node.dependsOn.join('+')} → ${node.id}` : node.id)).join(', ')}`;
    case 'node.started':
      return `  ▶ ${event.nodeId} (attempt ${event.attempt})`;
    case 'node.token':
      return `    ${event.nodeId}: ${JSON.stringify(event.delta)}`;
    case 'node.completed':
      return `  ✓ ${event.nodeId} on ${event.model}: ${event.usage.inputTokens}+${event.usage.outputTokens} tokens, ${event.metrics.latencyMs.toFixed(1)} ms, $${event.costUsd.toFixed(6)}`;
    case 'verdict.ready':
      return `  ⚖ ${event.nodeId}: ${event.decision}${event.reasons.length ? ` — ${event.reasons.join('; ')}` : ''}`;
    case 'node.failed':
      return `  ✗ ${event.nodeId}: ${event.error.code} ${event.error.message}`;
    case 'task.completed':
      return `task completed in ${event.latencyMs} ms, $${event.costUsd.toFixed(6)}`;
    case 'task.failed':
      return `task failed: ${event.error.code} ${event.error.message}`;
    default: {
      // Event types newer than this switch (the semantic cache's hits among them) still print a line.
      const other = event as { type: string; nodeId?: string; cache?: string; savedCostUsd?: number };
      return other.type === 'node.cache-hit' ? `  ⚡ ${other.nodeId}: answered from the ${other.cache} cache, saved ${formatUsd(other.savedCostUsd)}` : `  ${other.type}`;
    }
  }
}

function printResult(result: TaskResult, write: (line: string) => void): void {
  write('');
  const header = ['node', 'model', 'attempts', 'tokens in/out', 'latency', 'cost', 'verdict'];
  const rows = result.nodes.map((node) => [
    node.nodeId,
    modelsOf(node).join(' → ') || '-',
    String(node.attempts),
    node.usage ? `${node.usage.inputTokens}/${node.usage.outputTokens}` : '-',
    formatMs(node.metrics?.latencyMs),
    formatUsd(node.costUsd),
    node.verdict?.decision ?? node.status,
  ]);
  for (const line of formatTable(header, rows, ['left', 'left', 'right', 'right', 'right', 'right', 'left'])) write(line);
  for (const line of cascadeLines(result.nodes)) write(line);
  write('');
  if (result.status === 'completed') write(`verified result:\n${JSON.stringify(result.output, null, 2)}`);
  else write(`failed: ${result.error?.code} ${result.error?.message}`);
  write(`total: ${result.usage.inputTokens}+${result.usage.outputTokens} tokens, ${formatUsd(result.costUsd)}, ${formatMs(result.latencyMs)}`);
  write(savingLine(result));
}

/** The models a node's answers came from, in order (the cascade steps), else the model that answered. */
function modelsOf(node: NodeReport): string[] {
  const answers = (node.calls ?? []).filter((call) => call.role === 'answer').map((call) => call.model);
  const steps = answers.filter((model, index) => answers[index - 1] !== model);
  return steps.length > 0 ? steps : node.model ? [node.model] : [];
}

/** One line per node that called more than one model: each step with the judge's decision on it. */
function cascadeLines(nodes: readonly NodeReport[]): string[] {
  return nodes
    .filter((node) => (node.calls ?? []).length > 1)
    .map((node) => `  ${node.nodeId}: ${(node.calls ?? []).map((call) => `${call.model}${call.role === 'consensus' ? ' (peer)' : ''} ${formatUsd(call.costUsd)}${call.decision ? ` → ${call.decision}` : ''}`).join(', then ')}`);
}

/** The saving against running every node on the registry's reference model. */
function savingLine(result: TaskResult): string {
  if (result.savingsUsd === undefined) return 'saving: – (no reference model priced; set "referenceModel" in the model registry)';
  const reference = result.costUsd + result.savingsUsd;
  const share = reference > 0 ? ` (${Math.round((result.savingsUsd / reference) * 100)}% of ${formatUsd(reference)})` : '';
  return `saved ${formatUsd(result.savingsUsd)} against the reference model${share}`;
}
