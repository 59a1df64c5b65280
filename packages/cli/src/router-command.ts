import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { RegistryConfig, type ModelConfig } from '@troupe/models';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import { RouterArtifact, openRouterStore, parseOutcomeJsonl, routerFromDocument, trainCascadePolicy, trainRouter, type RouterDocument } from '@troupe/router';
import { resolveNatsUrl, withNats } from './nats-target.js';

const defaultRegistry = fileURLToPath(new URL('../../../models/troupe.models.json', import.meta.url));
const stdout = (line: string) => process.stdout.write(`${line}\n`);

export interface RouterTrainOptions {
  data: string;
  out?: string;
  costShare: number;
  folds: number;
  write?: (line: string) => void;
}

/**
 * `troupe router train`: trains the N-way router and the per-skill cascade policy from recorded
 * outcomes (RouterBench row format), every setting chosen by cross-validation on these rows only.
 */
export async function trainRouterCommand(options: RouterTrainOptions): Promise<RouterArtifact> {
  const write = options.write ?? stdout;
  const rows = parseOutcomeJsonl(readFileSync(options.data, 'utf8'));
  if (rows.length === 0) throw new TroupeError(ErrorCode.BAD_REQUEST, `no rows in ${options.data}`);
  const started = performance.now();
  const { router, report } = await trainRouter(rows, { folds: Math.max(2, options.folds) });
  const cascades = trainCascadePolicy(rows, { costShare: options.costShare, folds: options.folds });
  const artifact = RouterArtifact.parse({
    kind: 'troupe.router-artifact',
    trainedAt: new Date().toISOString(),
    data: options.data,
    router: router.toJSON(),
    cascades,
  });
  const out = options.out ?? 'router.json';
  writeFileSync(out, `${JSON.stringify(artifact)}\n`);
  const chosen = cascades.crossValidation.find((entry) => entry.costWeight === cascades.costWeight);
  write(`trained on ${rows.length} rows, ${cascades.models.length} models in ${((performance.now() - started) / 1000).toFixed(1)} s; router settings ${JSON.stringify(report.selected)}`);
  write(`cascades (cost weight ${cascades.costWeight}, cross-validated ${chosen?.qualityVsBest.toFixed(3)} of the best model's quality at ${chosen?.costVsBest.toFixed(3)} of its cost):`);
  for (const [group, steps] of Object.entries(cascades.groups)) write(`  ${group}: ${steps.map((step) => (step.consensusWith ? `${step.model} =? ${step.consensusWith}` : step.model)).join(' > ')}`);
  write(`wrote ${out}; deploy it with: troupe router deploy ${out}`);
  return artifact;
}

/** `troupe router deploy <file>`: validates the artifact and puts it in NATS KV, where every planner replica picks it up. */
export async function deployRouterCommand(file: string, options: { nats?: string; write?: (line: string) => void }): Promise<RouterDocument> {
  const write = options.write ?? stdout;
  const parsed = RouterArtifact.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new TroupeError(ErrorCode.BAD_REQUEST, `${file} is not a router artifact: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return withNats(resolveNatsUrl(options.nats), async (connection) => {
    const document = await (await openRouterStore(connection)).deploy(parsed.data);
    write(`deployed ${file} as router version ${document.version}`);
    return document;
  });
}

/** `troupe router show`: the deployed router: models, samples seen since deploy, per-skill quality estimates. */
export async function showRouterCommand(options: { nats?: string; json?: boolean; modelsConfig?: string; write?: (line: string) => void }): Promise<RouterDocument | undefined> {
  const write = options.write ?? stdout;
  return withNats(resolveNatsUrl(options.nats), async (connection) => {
    const document = await (await openRouterStore(connection)).read();
    if (!document) {
      write('no router deployed (troupe router train, then troupe router deploy)');
      return undefined;
    }
    if (options.json) {
      write(JSON.stringify({ version: document.version, deployedAt: document.deployedAt, samples: document.samples, learned: document.learned, cascades: document.artifact?.cascades?.groups ?? {} }));
      return document;
    }
    let models: readonly ModelConfig[] = [];
    try {
      models = RegistryConfig.parse(JSON.parse(readFileSync(options.modelsConfig ?? defaultRegistry, 'utf8'))).models;
    } catch {
      // Without a registry the learned profiles are still shown, just not priced.
    }
    const router = routerFromDocument(document, models);
    write(`router version ${document.version}, deployed ${document.deployedAt}${document.artifact ? ` from ${document.artifact.data}` : ''}; ${document.samples} verdicts learned since`);
    write(`models: ${router.models.join(', ') || '(none)'}`);
    for (const [group, steps] of Object.entries(document.artifact?.cascades?.groups ?? {})) {
      write(`cascade ${group}: ${steps.map((step) => (step.consensusWith ? `${step.model} =? ${step.consensusWith}` : step.model)).join(' > ')}`);
    }
    for (const [skill, byModel] of Object.entries(document.learned)) {
      const entries = Object.entries(byModel).map(([model, seen]) => `${model} ${seen.meanScore.toFixed(3)} (${seen.samples})`);
      write(`skill ${skill}: ${entries.join(', ')}`);
    }
    const skills = new Set([...Object.keys(document.learned), ...Object.keys(document.artifact?.cascades?.groups ?? {})].filter((skill) => skill !== '*'));
    for (const skill of skills) {
      const predictions = router.predict({ prompt: '', task: skill }).map((entry) => `${entry.model} ${entry.quality.toFixed(3)}`);
      write(`estimated quality for ${skill}: ${predictions.join(', ')}`);
    }
    return document;
  });
}

/** Registers `troupe router train|deploy|show`. */
export function registerRouterCommands(program: Command): void {
  const router = program.command('router').description('the learned router: train from recorded outcomes, deploy to NATS KV, show what it learned');
  router
    .command('train')
    .description('train the router and per-skill cascades from recorded outcomes (RouterBench JSONL rows)')
    .requiredOption('--data <rows.jsonl>', 'recorded outcomes to train on')
    .option('--out <file>', 'artifact file', 'router.json')
    .option('--cost-share <share>', "largest share of the best model's cost the cascades may spend", Number.parseFloat, 0.2)
    .option('--folds <n>', 'cross-validation folds', (value) => Number.parseInt(value, 10), 5)
    .action(async (options: Omit<RouterTrainOptions, 'write'>) => {
      await trainRouterCommand(options);
    });
  router
    .command('deploy')
    .description('put a trained router into NATS KV; every planner replica loads and watches it')
    .argument('[file]', 'artifact from troupe router train', 'router.json')
    .option('--nats <url>', 'NATS server')
    .action(async (file: string, options: { nats?: string }) => {
      await deployRouterCommand(file, options);
    });
  router
    .command('show')
    .description('print the deployed router: models, verdicts learned, per-skill quality estimates')
    .option('--nats <url>', 'NATS server')
    .option('--models-config <file>', 'model registry JSON (default: models/troupe.models.json)')
    .option('--json', 'print JSON', false)
    .action(async (options: { nats?: string; json: boolean; modelsConfig?: string }) => {
      await showRouterCommand(options);
    });
}
