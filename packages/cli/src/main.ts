// The `troupe` command line.
import { Command } from 'commander';
import { getTroupeErrorFromUnknown } from '@troupe/protocol';
import { resolveNatsUrl } from './nats-target.js';
import { runTask } from './run-command.js';
import { status } from './status-command.js';
import { up } from './up-command.js';
import { demo } from './demo-command.js';

const program = new Command('troupe').description('Compound AI on NATS: planner, workers and judge.').showHelpAfterError();

program
  .command('up')
  .description('start nats-server (unless --nats is given), the planner, the judge and workers')
  .option('--nats <url>', 'use this NATS server instead of starting one')
  .option('--models-dir <dir>', 'directory of GGUF files (default: $TROUPE_MODELS_DIR)')
  .option('--models-config <file>', 'model registry JSON (default: models/troupe.models.json)')
  .option('--workers <n>', 'worker replicas', (value) => Number.parseInt(value, 10), 1)
  .action(async (options: { nats?: string; modelsDir?: string; modelsConfig?: string; workers: number }) => {
    await up({ ...options, modelsDir: options.modelsDir ?? process.env.TROUPE_MODELS_DIR, foreground: true });
  });

program
  .command('run')
  .description('run a task and print progress, each node\'s model, and the verified result')
  .argument('<task>', 'task text, or JSON input')
  .option('--pipeline <name>', 'pipeline to run', 'extract-logic-synthesis')
  .option('--tenant <id>', 'tenant', 'default')
  .option('--nats <url>', 'NATS server (default: $TROUPE_NATS_URL, then the running `troupe up`)')
  .option('--timeout <ms>', 'how long to wait for the result', (value) => Number.parseInt(value, 10), 120_000)
  .option('--json', 'print the TaskResult as JSON only', false)
  .action(async (text: string, options: { pipeline: string; tenant: string; nats?: string; timeout: number; json: boolean }) => {
    const result = await runTask(text, { natsUrl: resolveNatsUrl(options.nats), pipeline: options.pipeline, tenant: options.tenant, json: options.json, timeoutMs: options.timeout });
    process.exitCode = result.status === 'completed' ? 0 : 1;
  });

program
  .command('demo')
  .description('start everything, run the demo task on a real GGUF model, print the result, stop')
  .option('--models-dir <dir>', 'directory of GGUF files (default: $TROUPE_MODELS_DIR)')
  .option('--models-config <file>', 'model registry JSON (default: models/troupe.models.json)')
  .action(async (options: { modelsDir?: string; modelsConfig?: string }) => {
    const ok = await demo({ modelsDir: options.modelsDir ?? process.env.TROUPE_MODELS_DIR, modelsConfig: options.modelsConfig });
    process.exitCode = ok ? 0 : 1;
  });

program
  .command('status')
  .description('list running Troupe services and their stats (NATS micro-service API)')
  .option('--nats <url>', 'NATS server')
  .action(async (options: { nats?: string }) => {
    process.exitCode = (await status(resolveNatsUrl(options.nats))) > 0 ? 0 : 1;
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const troupeError = getTroupeErrorFromUnknown(error);
  process.stderr.write(`troupe: ${troupeError.code}: ${troupeError.message}\n`);
  process.exitCode = 1;
}
