import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUseEmbeddingModel } from '@troupe/context';
import type { EmbeddingModel } from '@troupe/models';
import { startNatsServer, type NatsServer } from '@troupe/testing';
import { documentsIn, ingestCommand } from './context-command.js';

describe('troupe context ingest', () => {
  let server: NatsServer;
  let directory: string;
  let embedder: EmbeddingModel;

  beforeAll(async () => {
    [server, embedder] = await Promise.all([startNatsServer(), createUseEmbeddingModel()]);
    directory = mkdtempSync(join(tmpdir(), 'troupe-ingest-'));
    writeFileSync(join(directory, 'shipping.md'), '# Shipping\n\n## Times\nStandard shipping takes 3 to 5 business days.\n\n## Costs\nExpress shipping costs 12 USD.');
    writeFileSync(join(directory, 'faq.json'), JSON.stringify([{ question: 'Do you ship to Canada?', answer: 'Yes, in 7 days.' }]));
    writeFileSync(join(directory, 'logo.png'), 'not a document');
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('ingests a directory, skips unsupported files in it, and does not duplicate on a second run', async () => {
    const lines: string[] = [];
    const first = await ingestCommand([directory], { collection: 'help', nats: server.url, embedder, write: (line) => lines.push(line) });
    expect(first.map((result) => result.added)).toEqual([1, 2]);
    const second = await ingestCommand([directory], { collection: 'help', nats: server.url, embedder, write: (line) => lines.push(line) });
    expect(second.map((result) => result.added)).toEqual([0, 0]);
    expect(lines.at(-1)).toBe('collection "help": 3 chunks');
  });

  it('names bad input with typed errors', async () => {
    expect(() => documentsIn([join(directory, 'logo.png')])).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(() => documentsIn([join(directory, 'missing.md')])).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    const empty = mkdtempSync(join(tmpdir(), 'troupe-empty-'));
    expect(() => documentsIn([empty])).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    rmSync(empty, { recursive: true });
    await expect(ingestCommand([join(directory, 'faq.json')], { collection: 'bad name!', nats: server.url, embedder, write: () => undefined })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});
