import { runTask } from './run-command.js';
import { up } from './up-command.js';

/** `troupe demo`: starts everything (nats-server, planner, judge, a worker), runs the demo task on a real GGUF model, stops. */
export async function demo(options: { modelsDir: string | undefined; modelsConfig: string | undefined }): Promise<boolean> {
  if (!options.modelsDir) {
    process.stderr.write('troupe demo: set TROUPE_MODELS_DIR (or --models-dir) to a directory with stories260K.gguf\n');
    return false;
  }
  const troupe = await up({ modelsDir: options.modelsDir, ...(options.modelsConfig ? { modelsConfig: options.modelsConfig } : {}), workers: 1, foreground: false });
  try {
    process.stdout.write('\n$ troupe run "Ada lives in Paris and wants a refund for a broken kettle."\n');
    const result = await runTask('Ada lives in Paris and wants a refund for a broken kettle.', {
      natsUrl: troupe.natsUrl,
      pipeline: 'extract-logic-synthesis',
      tenant: 'default',
      json: false,
      timeoutMs: 120_000,
    });
    return result.status === 'completed';
  } finally {
    await troupe.stop();
  }
}
