import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../bin/troupe.mjs', import.meta.url));

// These machines have no internet, like a user on a plane: with an empty models directory the demo
// must try the pull, fail fast, and say what to do, without a stack trace. (Online, it would pull.)
describe('troupe demo without the model and without a network', () => {
  it('fails within a minute naming the pull command and TROUPE_MODELS_DIR, with no stack trace', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'troupe-no-models-'));
    try {
      const started = performance.now();
      const run = spawnSync(process.execPath, [cli, 'demo'], { env: { ...process.env, TROUPE_MODELS_DIR: empty }, encoding: 'utf8', timeout: 60_000 });
      expect(performance.now() - started).toBeLessThan(60_000);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('npx troupe models pull smollm2-135m-instruct');
      expect(run.stderr).toContain('TROUPE_MODELS_DIR');
      expect(run.stderr).toContain(empty);
      expect(`${run.stdout}${run.stderr}`).not.toMatch(/^\s+at /m);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  }, 70_000);
});
