import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTroupeClient } from '@troupe/client';
import { MODELS_DIR_ENV, pullPinnedModel, resolveModelsDirectory } from '@troupe/llama';
import { RegistryConfig, type Pricing } from '@troupe/models';
import { getTroupeErrorFromUnknown, type ProgressEvent, type TaskResult } from '@troupe/protocol';
import { connectNats } from '@troupe/transport';
import { hostCodeStep } from './code-step-host.js';
import { printDemoResult } from './demo-report.js';
import { refundPolicy } from './refund-policy-step.js';
import { up } from './up-command.js';

const DEMO_INPUT = 'Ada lives in Paris and wants a refund for a broken kettle.';
/** The demo's local model: in the shipped registry and pinned by sha256 in recommended.json. */
export const DEMO_MODEL_ID = 'smollm2-135m-instruct';
const defaultRegistry = fileURLToPath(new URL('../../../models/troupe.models.json', import.meta.url));
const recommended = fileURLToPath(new URL('../../../models/recommended.json', import.meta.url));
/** What "all-frontier" is priced at when the registry names no `referenceModel` (USD per 1M tokens, list price). */
const DEFAULT_FRONTIER = { id: 'gpt-4o', pricing: { inputPerMTok: 2.5, outputPerMTok: 10, cachedInputPerMTok: 1.25 } } as const;

export interface DemoOptions {
  modelsDir: string | undefined;
  modelsConfig: string | undefined;
  write?: (line: string) => void;
  /** Give up a download that receives nothing for this long (default 20 s). */
  stallTimeoutMs?: number;
}

/**
 * `troupe demo`: makes sure the demo model is in the models directory (pulling it, resumably and
 * sha256-checked, when it is not), starts everything (nats-server, planner, judge, a worker), hosts
 * the refund-policy code step, runs the refund demo on SmolLM2-135M-Instruct and prints the
 * extracted JSON, the final answer and the per-node table. Fails with a message, not a stack trace.
 */
export async function demo(options: DemoOptions): Promise<boolean> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const fail = (lines: string[]) => {
    for (const line of lines) process.stderr.write(`${line}\n`);
    return false;
  };
  const modelsDir = resolveModelsDirectory(options.modelsDir);
  const registry = RegistryConfig.parse(JSON.parse(readFileSync(options.modelsConfig ?? defaultRegistry, 'utf8')));
  const config = registry.models.find((model) => model.id === DEMO_MODEL_ID);
  if (!config?.path) return fail([`troupe demo: the registry has no "${DEMO_MODEL_ID}" model with a path; use models/troupe.models.json`]);
  const modelFile = path.resolve(modelsDir, config.path);
  if (!existsSync(modelFile)) {
    const pin = (JSON.parse(readFileSync(recommended, 'utf8')) as { models: Array<{ id: string; uri: string; file?: string; sha256: string | null; revision?: string }> }).models.find((model) => model.id === DEMO_MODEL_ID);
    write(`${config.path} is not in ${modelsDir} (${MODELS_DIR_ENV}); pulling ${pin?.uri ?? DEMO_MODEL_ID}…`);
    try {
      if (!pin?.sha256) throw new Error(`models/recommended.json pins no sha256 for ${DEMO_MODEL_ID}`);
      await pullPinnedModel(
        { uri: pin.uri, file: path.basename(config.path), sha256: pin.sha256, ...(pin.revision ? { revision: pin.revision } : {}) },
        { directory: path.dirname(modelFile), stallTimeoutMs: options.stallTimeoutMs ?? 20_000, onProgress: progressBar },
      );
      process.stderr.write('\n');
    } catch (error) {
      return fail([
        '',
        `troupe demo: ${config.path} is not in ${modelsDir} and could not be downloaded:`,
        `  ${getTroupeErrorFromUnknown(error).message}`,
        `Download it once you are online:   npx troupe models pull ${DEMO_MODEL_ID}`,
        `or set ${MODELS_DIR_ENV} to a directory that has ${path.basename(config.path)} (now: ${modelsDir}).`,
      ]);
    }
  }

  const troupe = await up({ modelsDir, ...(options.modelsConfig ? { modelsConfig: options.modelsConfig } : {}), workers: 1, foreground: false, log: write });
  const connection = await connectNats({ servers: troupe.natsUrl, maxReconnectAttempts: 0 });
  const codeStep = await hostCodeStep({ connection, skill: 'refund-policy', run: refundPolicy });
  try {
    write(`\n$ troupe run --pipeline refund-demo "${DEMO_INPUT}"`);
    const client = createTroupeClient({ connection, tenant: 'default', timeoutMs: 300_000 });
    const { events, result } = client.runWithProgress({ pipeline: 'refund-demo', input: DEMO_INPUT });
    const printed = (async () => {
      for await (const event of events) {
        const line = describe(event);
        if (line) write(line);
      }
    })();
    const outcome: TaskResult = await result;
    await Promise.race([printed, new Promise((resolve) => setTimeout(resolve, 500))]);
    const reference = registry.models.find((model) => model.id === registry.referenceModel);
    const frontier: { id: string; pricing: Pricing } = reference ? { id: reference.id, pricing: reference.pricing } : DEFAULT_FRONTIER;
    printDemoResult(outcome, frontier, write);
    return outcome.status === 'completed';
  } finally {
    await codeStep.stop();
    await connection.drain();
    await troupe.stop();
  }
}

function progressBar({ fraction, downloadedBytes }: { fraction: number; downloadedBytes: number }): void {
  const bar = '#'.repeat(Math.round(fraction * 30)).padEnd(30, '.');
  process.stderr.write(`\r[${bar}] ${(fraction * 100).toFixed(1)}%  ${(downloadedBytes / 1e6).toFixed(1)} MB`);
}

function describe(event: ProgressEvent): string | undefined {
  switch (event.type) {
    case 'plan.ready':
      return `plan: ${event.nodes.map((node) => (node.dependsOn.length ? `${node.dependsOn.join('+')} → ${node.id}` : node.id)).join(', ')}`;
    case 'model.loading':
      return event.progress >= 1 ? `  loaded ${event.model}` : undefined;
    case 'node.completed':
      return `  ✓ ${event.nodeId} (attempt ${event.attempt}) on ${event.model}: ${event.usage.outputTokens} tokens, ${event.metrics.latencyMs.toFixed(0)} ms`;
    case 'verdict.ready':
      return `  ⚖ ${event.nodeId}: ${event.decision}${event.reasons.length ? ` — ${event.reasons.join('; ')}` : ''}`;
    case 'node.failed':
      return `  ✗ ${event.nodeId}: ${event.error.code} ${event.error.message}`;
    default:
      return undefined;
  }
}
