// `npm run bench <name> [-- args]`: runs one benchmark from TypeScript source; each prints one JSON line last.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const benches = {
  runtime: 'test/bench/runtime-bench.ts',
  gateway: 'test/bench/gateway-bench.ts',
  local: 'test/bench/local-bench.ts',
  'local-model': 'packages/llama/bench/local-bench.ts',
  routing: 'packages/router/bench/routing-bench.ts',
  e2e: 'test/bench/e2e-bench.ts',
  chaos: 'test/bench/chaos-bench.ts',
  fuzz: 'test/bench/fuzz-bench.ts',
  soak: 'test/bench/soak-bench.ts',
  cache: 'test/bench/cache-bench.ts',
  classify: 'test/bench/classify-bench.ts',
};

const [name, ...args] = process.argv.slice(2);
const file = benches[name];
if (!file) {
  process.stderr.write(`unknown benchmark "${name ?? ''}"; choose one of: ${Object.keys(benches).join(', ')}\n`);
  process.exit(2);
}
const path = fileURLToPath(new URL(`../${file}`, import.meta.url));
if (!existsSync(path)) {
  process.stderr.write(`benchmark "${name}" is not available: ${file} does not exist\n`);
  process.exit(2);
}
const result = spawnSync(process.execPath, ['--conditions=@troupe/source', '--import', 'tsx', path, ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
