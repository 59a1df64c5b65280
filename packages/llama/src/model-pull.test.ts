import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TroupeError } from '@troupe/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pullModel } from './model-pull.js';

const modelsDirectory = process.env.TROUPE_MODELS_DIR ?? fileURLToPath(new URL('../../../../shared/models', import.meta.url));

async function failure(promise: Promise<unknown>): Promise<TroupeError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  if (!(error instanceof TroupeError)) throw new Error(`expected a TroupeError, got ${String(error)}`);
  return error;
}

describe('pullModel', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'troupe-pull-'));
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  it.each(['', '   ', './model.gguf', '/abs/model.gguf', 'ftp://host/model.gguf', 'hf:', 'hf:only-user'])(
    'refuses %j with BAD_REQUEST before touching the network',
    async (uri) => {
      expect((await failure(pullModel(uri, { directory }))).code).toBe('BAD_REQUEST');
    },
  );

  // Offline (as here and in CI) these must fail with a typed, retryable error and never hang. With a
  // network the first would start a real download, so it only asserts what holds either way.
  it('fails an hf: pull quickly with a typed error when offline', async () => {
    const started = performance.now();
    const error = await failure(
      pullModel('hf:bartowski/SmolLM2-135M-Instruct-GGUF/SmolLM2-135M-Instruct-Q4_K_M.gguf', { directory, stallTimeoutMs: 1_500 }),
    );
    expect(['PROVIDER_ERROR', 'TIMEOUT']).toContain(error.code);
    expect(error.retryable).toBe(true);
    expect(performance.now() - started).toBeLessThan(4_000);
  });

  it('gives up on a download that makes no progress with TIMEOUT', async () => {
    const started = performance.now();
    const error = await failure(pullModel('https://example.com/models/nothing.gguf', { directory, stallTimeoutMs: 1_000 }));
    expect(['TIMEOUT', 'PROVIDER_ERROR', 'MODEL_NOT_FOUND']).toContain(error.code);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('honours an aborted signal with CANCELLED', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await failure(pullModel('hf:user/repo/file.gguf', { directory, signal: controller.signal }));
    expect(error.code).toBe('CANCELLED');
  });

  it('returns a file that is already in the models directory without downloading', async () => {
    // node-llama-cpp stores hf:<user>/<repo>/<file> as hf_<user>_<repo>_<file> (the repo is left out when the
    // file name already contains it); a complete file is found offline and not fetched again.
    await copyFile(path.join(modelsDirectory, 'stories260K.gguf'), path.join(directory, 'hf_someone_tiny-GGUF_stories260K.gguf'));
    const started = performance.now();
    const pulled = await pullModel('hf:someone/tiny-GGUF/stories260K.gguf', { directory, stallTimeoutMs: 3_000 });
    expect(pulled).toEqual({ path: path.join(directory, 'hf_someone_tiny-GGUF_stories260K.gguf'), bytes: 1_185_376 });
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
