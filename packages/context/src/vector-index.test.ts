import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createVectorIndex } from './vector-index.js';

const directories: string[] = [];
afterEach(() => directories.splice(0).forEach((directory) => rmSync(directory, { recursive: true, force: true })));

describe('vector index (usearch)', () => {
  it('finds the nearest vector, replaces and removes by id, and survives a save and reload', () => {
    const directory = mkdtempSync(join(tmpdir(), 'troupe-index-'));
    directories.push(directory);
    const path = join(directory, 'faq.usearch');
    const index = createVectorIndex({ dimensions: 3, path });
    index.upsert('x', [1, 0, 0]);
    index.upsert('y', [0, 1, 0]);
    index.upsert('z', [0, 0, 1]);
    expect(index.search([0.9, 0.1, 0], 1)).toEqual([{ id: 'x', similarity: expect.closeTo(0.994, 2) }]);
    index.upsert('x', [0, 0.2, 1]);
    expect(index.search([1, 0, 0], 3).map((match) => match.id)).not.toContain(undefined);
    expect(index.remove('z')).toBe(true);
    index.save();
    const reloaded = createVectorIndex({ dimensions: 3, path });
    expect(reloaded.size).toBe(2);
    expect(reloaded.search([0, 1, 0], 1)[0]?.id).toBe('y');
    expect(() => reloaded.upsert('w', [1, 2])).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });
});
