import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TroupeError } from '@troupe/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertGgufFile } from './gguf-header.js';

const modelsDirectory = process.env.TROUPE_MODELS_DIR ?? fileURLToPath(new URL('../../../../shared/models', import.meta.url));

describe('GGUF header check', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'troupe-gguf-'));
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  const codeOf = (promise: Promise<unknown>) => promise.then(() => 'accepted', (error: unknown) => (error instanceof TroupeError ? error.code : String(error)));

  it('accepts the real test models', async () => {
    await expect(assertGgufFile(path.join(modelsDirectory, 'stories260K.gguf'))).resolves.toBeUndefined();
    await expect(assertGgufFile(path.join(modelsDirectory, 'llama-2-tiny-random.gguf'))).resolves.toBeUndefined();
  });

  it('rejects junk bytes, a short file and an unknown version with MODEL_LOAD_FAILED', async () => {
    const junk = path.join(directory, 'junk.gguf');
    await writeFile(junk, Buffer.from('this is not a model, just text pretending to be one'));
    const short = path.join(directory, 'short.gguf');
    await writeFile(short, Buffer.from('GGU'));
    const future = path.join(directory, 'future.gguf');
    await writeFile(future, Buffer.concat([Buffer.from('GGUF'), Buffer.from([99, 0, 0, 0]), Buffer.alloc(32)]));
    expect(await codeOf(assertGgufFile(junk))).toBe('MODEL_LOAD_FAILED');
    expect(await codeOf(assertGgufFile(short))).toBe('MODEL_LOAD_FAILED');
    expect(await codeOf(assertGgufFile(future))).toBe('MODEL_LOAD_FAILED');
    await expect(assertGgufFile(junk)).rejects.toThrow(/not a GGUF model/);
  });
});
