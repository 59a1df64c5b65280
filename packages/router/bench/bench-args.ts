import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Parsed command line of the routing benchmark. */
export interface BenchArgs {
  data: string;
  /** Training file; undefined when `split` carves the training rows out of `data`. */
  train: string | undefined;
  /** Share of `data` rows held out as test, chosen by a hash of the row id. */
  split: number | undefined;
  folds: number;
  seed: number;
}

const USAGE = `usage: npm run bench:routing -- [--data <jsonl>] [--train <jsonl> | --split <test share>] [--folds 5] [--seed 1]
  --data   rows to report on (default: <data dir>/routing/dev.jsonl)
  --train  rows to train on (default: <data dir>/routing/train.jsonl)
  --split  train on the (1 - share) of --data rows whose id hash falls outside the test share; report on the rest
  data dir: $TROUPE_DATA_DIR, else <repo>/../shared/data`;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The directory holding `routing/*.jsonl`. */
export function dataDirectory(): string {
  return process.env.TROUPE_DATA_DIR ? resolve(process.env.TROUPE_DATA_DIR) : resolve(repoRoot, '..', 'shared', 'data');
}

// npm runs scripts from the repo root; INIT_CWD is where the user typed the command.
const fromUser = (path: string): string => (isAbsolute(path) ? path : resolve(process.env.INIT_CWD ?? process.cwd(), path));

/** Parses argv (without node and script); exits with usage on --help or bad input. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const values = new Map<string, string>();
  for (let index = 0; index < argv.length; index += 1) {
    const flag = argv[index] ?? '';
    if (flag === '--help' || flag === '-h') fail(USAGE, 0);
    if (!['--data', '--train', '--split', '--folds', '--seed'].includes(flag)) fail(`unknown argument "${flag}"\n${USAGE}`);
    const value = argv[index + 1];
    if (value === undefined) fail(`${flag} needs a value\n${USAGE}`);
    values.set(flag, value);
    index += 1;
  }
  const split = values.has('--split') ? Number(values.get('--split')) : undefined;
  if (split !== undefined && !(split > 0 && split < 1)) fail(`--split must be a share strictly between 0 and 1\n${USAGE}`);
  if (split !== undefined && values.has('--train')) fail(`give either --train or --split, not both\n${USAGE}`);
  const data = values.has('--data') ? fromUser(values.get('--data') as string) : resolve(dataDirectory(), 'routing', 'dev.jsonl');
  const train = split !== undefined ? undefined : values.has('--train') ? fromUser(values.get('--train') as string) : resolve(dataDirectory(), 'routing', 'train.jsonl');
  for (const path of [data, train]) if (path !== undefined && !existsSync(path)) fail(`no such file: ${path}`);
  const folds = Number(values.get('--folds') ?? 5);
  const seed = Number(values.get('--seed') ?? 1);
  if (!Number.isInteger(folds) || folds < 0) fail('--folds must be a non-negative integer');
  return { data, train, split, folds, seed };
}

function fail(message: string, code = 2): never {
  (code === 0 ? process.stdout : process.stderr).write(`${message}\n`);
  process.exit(code);
}
