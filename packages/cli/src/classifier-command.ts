import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { escalationRows, openClassifierStore, parseClassifierArtifact, parseTrainingRows, trainClassifier, type ClassifierArtifact } from '@troupe/classify';
import { createLlamaEmbeddingModel, resolveModelsDirectory } from '@troupe/llama';
import { RegistryConfig } from '@troupe/models';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import { listTaskRecords } from '@troupe/durability';
import { resolveNatsUrl, withNats } from './nats-target.js';

const defaultRegistry = fileURLToPath(new URL('../../../models/troupe.models.json', import.meta.url));
const stdout = (line: string) => process.stdout.write(`${line}\n`);

export interface TrainCommandOptions {
  data: string;
  name: string;
  out?: string;
  embeddingModel: string;
  modelsConfig?: string;
  modelsDir?: string;
  seed: number;
  targetPrecision: number;
  folds: number;
  write?: (line: string) => void;
}

/** `troupe classifier train`: embeds labelled rows, cross-validates, writes the artifact file. */
export async function trainClassifierCommand(options: TrainCommandOptions): Promise<ClassifierArtifact> {
  const write = options.write ?? stdout;
  const rows = parseTrainingRows(readFileSync(options.data, 'utf8'), options.data);
  const registry = RegistryConfig.parse(JSON.parse(readFileSync(options.modelsConfig ?? defaultRegistry, 'utf8')));
  const config = registry.models.find((model) => model.id === options.embeddingModel);
  if (!config || !config.capabilities.includes('embedding')) {
    throw new TroupeError(ErrorCode.CONFIG_INVALID, `"${options.embeddingModel}" is not an embedding model in the registry (give --embedding-model)`);
  }
  await using embedder = await createLlamaEmbeddingModel(config, { modelsDirectory: resolveModelsDirectory(options.modelsDir) });
  const started = performance.now();
  let lastShown = 0;
  const artifact = await trainClassifier(rows, {
    name: options.name,
    embedder,
    seed: options.seed,
    targetPrecision: options.targetPrecision,
    folds: options.folds,
    onProgress: (stage, done, total) => {
      if (stage === 'embed' && done - lastShown < Math.max(1, total / 10) && done !== total) return;
      lastShown = done;
      process.stderr.write(`${stage} ${done}/${total}\n`);
    },
  });
  const out = options.out ?? `${options.name}.classifier.json`;
  writeFileSync(out, `${JSON.stringify(artifact)}\n`);
  const cv = artifact.training.crossValidation;
  write(`trained "${artifact.name}" version ${artifact.version}: ${artifact.kind}, ${artifact.labels.length} labels, ${rows.length} rows, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  write(`cross-validated (${cv.folds} folds): accuracy ${cv.accuracy.toFixed(3)}; threshold ${artifact.threshold.toFixed(3)} answers ${(cv.coverage * 100).toFixed(1)}% at ${cv.accuracyOnCovered.toFixed(3)} accuracy`);
  write(`wrote ${out}; deploy it with: troupe classifier deploy ${out}`);
  return artifact;
}

/** `troupe classifier deploy <file>`: validates the artifact, then stores it in NATS KV in one write. */
export async function deployClassifierCommand(file: string, options: { natsUrl: string; write?: (line: string) => void }): Promise<{ name: string; version: string }> {
  const write = options.write ?? stdout;
  const artifact = parseClassifierArtifact(JSON.parse(readFileSync(file, 'utf8')));
  return withNats(options.natsUrl, async (connection) => {
    const store = await openClassifierStore(connection);
    const deployed = await store.deploy(artifact);
    write(`deployed "${deployed.name}" version ${deployed.version} (KV revision ${deployed.revision}); workers watching it switch now`);
    return deployed;
  });
}

/** `troupe classifier show <name>`: the deployed version and what training chose. */
export async function showClassifierCommand(name: string, options: { natsUrl: string; json?: boolean; write?: (line: string) => void }): Promise<void> {
  const write = options.write ?? stdout;
  return withNats(options.natsUrl, async (connection) => {
    const artifact = await (await openClassifierStore(connection)).get(name);
    if (!artifact) throw new TroupeError(ErrorCode.NOT_FOUND, `no classifier "${name}" is deployed`);
    const { weights: _weights, bias: _bias, centroids: _centroids, ...summary } = artifact;
    if (options.json) return write(JSON.stringify(summary, null, 2));
    const cv = artifact.training.crossValidation;
    write(`${artifact.name} ${artifact.version} (${artifact.kind}, trained ${artifact.createdAt} on ${artifact.training.rows} rows)`);
    write(`embeddings   ${artifact.embeddingModel} (${artifact.dimensions}-d)`);
    write(`labels       ${artifact.labels.length}: ${artifact.labels.slice(0, 8).join(', ')}${artifact.labels.length > 8 ? ', …' : ''}`);
    write(`threshold    ${artifact.threshold.toFixed(3)} (target precision ${artifact.training.targetPrecision})`);
    write(`cv           accuracy ${cv.accuracy.toFixed(3)}, coverage ${cv.coverage.toFixed(3)}, accuracy on covered ${cv.accuracyOnCovered.toFixed(3)}`);
  });
}

/** `troupe classifier export`: escalated inputs with the label the judge finally passed, as training rows. */
export async function exportEscalationsCommand(options: {
  natsUrl: string;
  model: string[];
  outputField?: string;
  textField?: string;
  tenant?: string;
  out?: string;
  write?: (line: string) => void;
}): Promise<number> {
  const write = options.write ?? stdout;
  return withNats(options.natsUrl, async (connection) => {
    const records = await listTaskRecords({ connection, ...(options.tenant ? { tenant: options.tenant } : {}) });
    const rows = escalationRows(records, {
      classifierModels: options.model,
      ...(options.outputField ? { outputField: options.outputField } : {}),
      ...(options.textField ? { textField: options.textField } : {}),
    });
    const lines = rows.map((row) => JSON.stringify(row));
    if (options.out) {
      // Appending keeps the labelled rows already there: export, then `train --data` the same file.
      if (lines.length > 0) appendFileSync(options.out, `${lines.join('\n')}\n`);
      process.stderr.write(`${rows.length} escalated rows from ${records.length} task records appended to ${options.out}\n`);
    } else {
      for (const line of lines) write(line);
    }
    return rows.length;
  });
}

/** Adds `troupe classifier train|deploy|show|export` to the program. */
export function registerClassifierCommands(program: Command): void {
  const classifier = program.command('classifier').description('fast classifiers: embeddings plus a trained head, with a confidence threshold for escalation');
  classifier
    .command('train')
    .description('train from {"text","label"} JSON Lines; regularisation and threshold by cross-validation on these rows only')
    .requiredOption('--data <rows.jsonl>', 'labelled rows')
    .requiredOption('--name <name>', 'classifier name (the KV key it deploys under)')
    .option('--out <file>', 'artifact file (default <name>.classifier.json)')
    .option('--embedding-model <id>', 'registry id of the embedding model', 'all-minilm-l6-v2')
    .option('--models-config <file>', 'model registry JSON (default: models/troupe.models.json)')
    .option('--models-dir <dir>', 'directory of GGUF files (default: $TROUPE_MODELS_DIR)')
    .option('--seed <n>', 'training seed', (value) => Number.parseInt(value, 10), 7)
    .option('--target-precision <p>', 'accuracy wanted on the rows answered without escalation', Number.parseFloat, 0.97)
    .option('--folds <n>', 'cross-validation folds', (value) => Number.parseInt(value, 10), 3)
    .action(async (options: Omit<TrainCommandOptions, 'write'>) => {
      await trainClassifierCommand(options);
    });
  classifier
    .command('deploy')
    .description('store a trained classifier in NATS KV; every worker serving it switches to the new version')
    .argument('<file>', 'artifact from `troupe classifier train`')
    .option('--nats <url>', 'NATS server')
    .action(async (file: string, options: { nats?: string }) => {
      await deployClassifierCommand(file, { natsUrl: resolveNatsUrl(options.nats) });
    });
  classifier
    .command('show')
    .description('the deployed version of a classifier and the figures it was chosen by')
    .argument('<name>', 'classifier name')
    .option('--nats <url>', 'NATS server')
    .option('--json', 'print JSON', false)
    .action(async (name: string, options: { nats?: string; json: boolean }) => {
      await showClassifierCommand(name, { natsUrl: resolveNatsUrl(options.nats), json: options.json });
    });
  classifier
    .command('export')
    .description('inputs a classifier escalated, with the label the judge finally passed, as {"text","label"} rows to retrain on')
    .requiredOption('--model <id...>', 'registry id(s) of the classifier model(s)')
    .option('--output-field <field>', 'output field with the label', 'label')
    .option('--text-field <path>', 'dot path of the text in the task input (default: its first string)')
    .option('--tenant <id>', 'only this tenant')
    .option('--out <rows.jsonl>', 'append to this file (default: print)')
    .option('--nats <url>', 'NATS server')
    .action(async (options: { model: string[]; outputField: string; textField?: string; tenant?: string; out?: string; nats?: string }) => {
      await exportEscalationsCommand({ ...options, natsUrl: resolveNatsUrl(options.nats) });
    });
}
