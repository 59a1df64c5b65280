import { describe, expect, it } from 'vitest';
import { Bm25Index, reciprocalRankFusion } from './bm25.js';
import { chunkDocument } from './chunker.js';

describe('BM25 and reciprocal-rank fusion', () => {
  it('ranks the document with the rare query term first', () => {
    const index = new Bm25Index();
    index.upsert('a', 'Refunds are paid within 5 business days.');
    index.upsert('b', 'Shipping takes 5 business days.');
    index.upsert('c', 'Our office is closed on public holidays.');
    expect(index.search('when is my refund paid', 2).map((match) => match.id)).toEqual(['a']);
    index.remove('a');
    expect(index.search('refund', 2)).toEqual([]);
  });

  it('fuses rankings by rank so an id first in both lists scores 1', () => {
    const fused = reciprocalRankFusion([
      ['x', 'y'],
      ['x', 'z'],
    ]);
    expect(fused.get('x')).toBeCloseTo(1);
    expect(fused.get('y')).toBeLessThan(0.51);
  });
});

describe('chunking', () => {
  it('splits Markdown by heading and keeps the section path as metadata', () => {
    const chunks = chunkDocument('policy.md', '# Policy\n\n## Refunds\nWithin 30 days.\n\n## Exchanges\nWithin 60 days.');
    expect(chunks.map((chunk) => chunk.metadata.section)).toEqual(['Policy > Refunds', 'Policy > Exchanges']);
    expect(chunks[0]?.text).toBe('Refunds\nWithin 30 days.');
  });

  it('makes one chunk per JSON item with its scalar fields as metadata', () => {
    const chunks = chunkDocument('faq.json', JSON.stringify([{ question: 'Hours?', answer: '9 to 5' }, { question: 'Phone?', answer: 'None' }]));
    expect(chunks).toHaveLength(2);
    expect(chunks[1]?.metadata).toMatchObject({ question: 'Phone?', answer: 'None', type: 'json' });
  });

  it('packs long text into bounded chunks and rejects bad input with typed errors', () => {
    const chunks = chunkDocument('notes.txt', Array.from({ length: 40 }, (_, index) => `Paragraph ${index} has some words in it.`).join('\n\n'), { maxChars: 200 });
    expect(chunks.length).toBeGreaterThan(5);
    expect(Math.max(...chunks.map((chunk) => chunk.text.length))).toBeLessThanOrEqual(200);
    expect(() => chunkDocument('deck.pptx', 'x')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(() => chunkDocument('empty.md', '  \n')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(() => chunkDocument('broken.json', '{')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });
});
