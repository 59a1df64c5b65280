// The `troupe` command line.
import { Command } from 'commander';
import { getTroupeErrorFromUnknown } from '@troupe/protocol';
import { resolveNatsUrl } from './nats-target.js';
import { runTask } from './run-command.js';
import { status } from './status-command.js';
import { tasksCommand } from './tasks-command.js';
import { listDeadLettersCommand, showDeadLetterCommand } from './dlq-command.js';
import { up } from './up-command.js';
import { mcp } from './mcp-command.js';
import { demo } from './demo-command.js';
import { listModels, pull } from './models-command.js';
import { registerClassifierCommands } from './classifier-command.js';
import { registerRouterCommands } from './router-command.js';
import { registerContextCommands } from './context-command.js';
import { PermissionRoles, parsePermissionRoles, printPermissions } from './permissions-command.js';
import { createJwtAuth, writeJwtAuth } from './jwt-auth.js';
import { verdictsCommand } from './verdicts-command.js';

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
  .command('mcp')
  .description('serve Troupe as an MCP server over stdio: run_task, submit_task, task_result, list_pipelines')
  .option('--nats <url>', 'NATS server (default: $TROUPE_NATS_URL, then the running `troupe up`)')
  .option('--tenant <id>', 'tenant the tasks run as', 'default')
  .option('--timeout <ms>', 'how long run_task waits for the result', (value) => Number.parseInt(value, 10), 120_000)
  .option('--creds <file>', 'NATS .creds file of the tenant (default: $TROUPE_NATS_CREDS)')
  .action(async (options: { nats?: string; tenant: string; timeout: number; creds?: string }) => {
    const credsFile = options.creds ?? process.env.TROUPE_NATS_CREDS;
    await mcp({ natsUrl: resolveNatsUrl(options.nats), tenant: options.tenant, timeoutMs: options.timeout, ...(credsFile ? { credsFile } : {}) });
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
  .option('--creds <file>', 'NATS .creds file (user JWT + nkey seed) of the tenant (default: $TROUPE_NATS_CREDS)')
  .action(async (text: string, options: { pipeline: string; tenant: string; nats?: string; timeout: number; json: boolean; creds?: string }) => {
    const credsFile = options.creds ?? process.env.TROUPE_NATS_CREDS;
    const result = await runTask(text, {
      natsUrl: resolveNatsUrl(options.nats),
      pipeline: options.pipeline,
      tenant: options.tenant,
      json: options.json,
      timeoutMs: options.timeout,
      ...(credsFile ? { credsFile } : {}),
    });
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

const models = program.command('models').description('the model registry: list models and their state, pull GGUF files');
models
  .command('list', { isDefault: true })
  .description('list registry models with load state and prices')
  .option('--config <file>', 'model registry JSON (default: models/troupe.models.json)')
  .option('--models-dir <dir>', 'directory of GGUF files (default: $TROUPE_MODELS_DIR)')
  .action(async (options: { config?: string; modelsDir?: string }) => listModels(options));
models
  .command('pull')
  .description('download a recommended model (models/recommended.json id) or an hf:/https URI into the models directory (needs internet)')
  .argument('<model>', 'recommended id or URI')
  .option('--models-dir <dir>', 'target directory (default: $TROUPE_MODELS_DIR)')
  .action(async (model: string, options: { modelsDir?: string }) => {
    process.stdout.write(`${await pull(model, options)}\n`);
  });

program
  .command('status')
  .description('list running Troupe services and their stats (NATS micro-service API)')
  .option('--nats <url>', 'NATS server')
  .option('--creds <file>', 'NATS .creds file, e.g. the operator user\'s (default: $TROUPE_NATS_CREDS)')
  .option('--json', 'one line per replica and one JSON object per endpoint, instead of the table', false)
  .action(async (options: { nats?: string; creds?: string; json: boolean }) => {
    const credsFile = options.creds ?? process.env.TROUPE_NATS_CREDS;
    process.exitCode = (await status(resolveNatsUrl(options.nats), undefined, credsFile ? { credsFile } : {}, options.json ? 'json' : 'table')) > 0 ? 0 : 1;
  });

program
  .command('tasks')
  .description('recent tasks from the task records: status, pipeline, cost, saving, latency, verdict')
  .option('--nats <url>', 'NATS server')
  .option('--tenant <id>', 'only this tenant')
  .option('--limit <n>', 'how many of the newest to show', (value) => Number.parseInt(value, 10), 20)
  .option('--watch', 'follow tasks live until ctrl-c', false)
  .option('--json', 'print JSON', false)
  .option('--creds <file>', 'NATS .creds file (default: $TROUPE_NATS_CREDS)')
  .action(async (options: { nats?: string; tenant?: string; limit: number; watch: boolean; json: boolean; creds?: string }) => {
    const credsFile = options.creds ?? process.env.TROUPE_NATS_CREDS;
    await tasksCommand({ natsUrl: resolveNatsUrl(options.nats), limit: options.limit, watch: options.watch, json: options.json, ...(options.tenant ? { tenant: options.tenant } : {}), ...(credsFile ? { credsFile } : {}) });
  });

registerClassifierCommands(program);
registerRouterCommands(program);
registerContextCommands(program);

const dlq = program.command('dlq').description('tasks that could not be run (dead letters), with the reason');

dlq
  .command('list')
  .description('list dead-lettered tasks, newest last')
  .option('--nats <url>', 'NATS server')
  .option('--tenant <id>', 'only this tenant')
  .option('--limit <n>', 'how many of the newest to show', (value) => Number.parseInt(value, 10), 100)
  .option('--json', 'print JSON', false)
  .action(async (options: { nats?: string; tenant?: string; limit: number; json: boolean }) => {
    await listDeadLettersCommand({ natsUrl: resolveNatsUrl(options.nats), limit: options.limit, json: options.json, ...(options.tenant ? { tenant: options.tenant } : {}) });
  });

dlq
  .command('show')
  .description('show one dead-lettered task: the reason and the queued task')
  .argument('<id>', 'task id, or the sequence number from `troupe dlq list`')
  .option('--nats <url>', 'NATS server')
  .option('--tenant <id>', 'tenant of the task')
  .option('--json', 'print JSON', false)
  .action(async (id: string, options: { nats?: string; tenant?: string; json: boolean }) => {
    await showDeadLetterCommand(id, { natsUrl: resolveNatsUrl(options.nats), json: options.json, ...(options.tenant ? { tenant: options.tenant } : {}) });
  });

program
  .command('verdicts')
  .description('the judge verdicts stored for a task (kept for TROUPE_VERDICT_RETENTION_HOURS), by node and attempt')
  .argument('<taskId>', 'task id')
  .option('--tenant <id>', 'tenant', 'default')
  .option('--nats <url>', 'NATS server')
  .option('--creds <file>', 'NATS .creds file (default: $TROUPE_NATS_CREDS)')
  .option('--json', 'print JSON', false)
  .action(async (taskId: string, options: { tenant: string; nats?: string; creds?: string; json: boolean }) => {
    const credsFile = options.creds ?? process.env.TROUPE_NATS_CREDS;
    await verdictsCommand(taskId, { natsUrl: resolveNatsUrl(options.nats), tenant: options.tenant, json: options.json, ...(credsFile ? { credsFile } : {}) });
  });

program
  .command('auth-jwt')
  .description('mint an operator/account/user JWT setup: resolver.conf for nats-server and a .creds file per service and tenant')
  .requiredOption('--out <dir>', 'directory for resolver.conf and the .creds files (written mode 0600)')
  .option('--tenant <id>', 'a tenant user (repeatable)', (value: string, previous: string[]) => [...previous, value], [])
  .option('--service <role>', `a service user: ${PermissionRoles.join(', ')} (repeatable; default planner, worker, judge, operator)`, (value: string, previous: string[]) => [...previous, value], [])
  .action(async (options: { out: string; tenant: string[]; service: string[] }) => {
    const services = options.service.length > 0 ? parsePermissionRoles(options.service) : parsePermissionRoles(['planner', 'worker', 'judge', 'operator']);
    const setup = await createJwtAuth({ tenants: options.tenant, services });
    for (const path of writeJwtAuth(setup, options.out)) process.stdout.write(`${path}\n`);
  });

program
  .command('permissions')
  .description('print nats-server config with least-privilege subject permissions for tenants and services')
  .option('--tenant <id>', 'a tenant user (repeatable)', (value: string, previous: string[]) => [...previous, value], [])
  .option('--service <role>', `a service user: ${PermissionRoles.join(', ')} (repeatable)`, (value: string, previous: string[]) => [...previous, value], [])
  .option('--skills <list>', 'comma-separated skills that narrow the worker user')
  .option('--no-durable', 'leave out the JetStream queue and KV permissions (services run with TROUPE_DURABLE=false)')
  .option('--no-budgets', 'leave out the budget ledger bucket (TROUPE_BUDGETS=false)')
  .option('--no-kv-breakers', 'leave out the shared circuit-breaker bucket (TROUPE_BREAKERS=memory)')
  .option('--json', 'print the permission sets as JSON', false)
  .action((options: { tenant: string[]; service: string[]; skills?: string; durable: boolean; budgets: boolean; kvBreakers: boolean; json: boolean }) => {
    printPermissions({
      tenants: options.tenant,
      services: parsePermissionRoles(options.service),
      ...(options.skills ? { skills: options.skills.split(',').map((skill) => skill.trim()).filter(Boolean) } : {}),
      durable: options.durable,
      budgets: options.budgets,
      kvBreakers: options.kvBreakers,
      json: options.json,
    });
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const troupeError = getTroupeErrorFromUnknown(error);
  process.stderr.write(`troupe: ${troupeError.code}: ${troupeError.message}\n`);
  process.exitCode = 1;
}
