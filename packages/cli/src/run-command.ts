import { connectNats } from '@troupe/transport';
import { createTroupeClient } from '@troupe/client';
import type { ProgressEvent, TaskResult } from '@troupe/protocol';

export interface RunOptions {
  natsUrl: string;
  pipeline: string;
  tenant: string;
  json: boolean;
  timeoutMs: number;
  write?: (line: string) => void;
}

/** `troupe run "<task>"`: submits, shows progress as it happens, prints the verified result. */
export async function runTask(text: string, options: RunOptions): Promise<TaskResult> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const connection = await connectNats({ servers: options.natsUrl, maxReconnectAttempts: 0 });
  try {
    const client = createTroupeClient({ connection, tenant: options.tenant, timeoutMs: options.timeoutMs });
    const input = parseInput(text);
    const { events, result } = client.runWithProgress({ pipeline: options.pipeline, input });
    const printed = options.json
      ? Promise.resolve()
      : (async () => {
          for await (const event of events) write(describe(event));
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

function describe(event: ProgressEvent): string {
  switch (event.type) {
    case 'task.accepted':
      return `task ${event.taskId} accepted`;
    case 'plan.ready':
      return `plan: ${event.nodes.map((node) => (node.dependsOn.length ? `${node.dependsOn.join('+')} → ${node.id}` : node.id)).join(', ')}`;
    case 'node.started':
      return `  ▶ ${event.nodeId} (attempt ${event.attempt})`;
    case 'node.token':
      return `    ${event.nodeId}: ${JSON.stringify(event.delta)}`;
    case 'model.loading':
      return `  loading ${event.model} ${(event.progress * 100).toFixed(0)}%`;
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
  }
}

function printResult(result: TaskResult, write: (line: string) => void): void {
  write('');
  write('node            model                 tokens in/out   latency ms   cost USD     verdict');
  for (const node of result.nodes) {
    const tokens = node.usage ? `${node.usage.inputTokens}/${node.usage.outputTokens}` : '-';
    write(
      `${node.nodeId.padEnd(16)}${(node.model ?? '-').padEnd(22)}${tokens.padEnd(16)}${(node.metrics?.latencyMs.toFixed(1) ?? '-').padEnd(13)}${node.costUsd.toFixed(6).padEnd(13)}${node.verdict?.decision ?? node.status}`,
    );
  }
  write('');
  if (result.status === 'completed') write(`verified result:\n${JSON.stringify(result.output, null, 2)}`);
  else write(`failed: ${result.error?.code} ${result.error?.message}`);
  write(`total: ${result.usage.inputTokens}+${result.usage.outputTokens} tokens, $${result.costUsd.toFixed(6)}, ${result.latencyMs} ms`);
}
