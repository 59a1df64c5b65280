// `npm test`: type-check every package, then run all tests once with a plain pass/fail summary line.
import { spawnSync } from 'node:child_process';

const run = (command, args) => spawnSync(command, args, { stdio: 'inherit', shell: false }).status ?? 1;
const typecheck = run('npx', ['tsc', '-b']);
if (typecheck !== 0) {
  process.stdout.write('\n0 passed, 1 failed\n');
  process.exit(typecheck);
}
// Lint after the type-check: a boundary violation (ARCHITECTURE.md) fails `npm test` like a type error.
const lint = run('npx', ['eslint', '--cache', '--cache-location', 'node_modules/.cache/eslint/', '.']);
if (lint !== 0) {
  process.stdout.write('\n0 passed, 1 failed (lint)\n');
  process.exit(lint);
}
process.exit(run('npx', ['vitest', 'run', ...process.argv.slice(2)]));
