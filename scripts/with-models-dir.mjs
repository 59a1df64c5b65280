// Runs a command with TROUPE_MODELS_DIR set: the caller's value, else the shared models directory
// that sits beside a checkout on the project's machines (../shared/models). Models are never copied.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const beside = fileURLToPath(new URL('../../shared/models', import.meta.url));
const env = { ...process.env };
if (!env.TROUPE_MODELS_DIR && existsSync(beside)) env.TROUPE_MODELS_DIR = beside;
// Otherwise models live in ./models (git-ignored), where `npx troupe models pull <id>` and the demo put them.
if (!env.TROUPE_MODELS_DIR) process.stderr.write('note: TROUPE_MODELS_DIR is not set and ../shared/models does not exist; using ./models\n');
const [command, ...args] = process.argv.slice(2);
const result = spawnSync(command, args, { stdio: 'inherit', env });
process.exit(result.status ?? 1);
