import { describe, expect, it } from 'vitest';
import { extractClaims } from './fact-extraction.js';

const summarise = (text: string): string[] =>
  extractClaims(text).map((claim) => `${claim.kind}:${claim.text}`);

describe('fact extraction', () => {
  it('claims each span once: money and dates are not also numbers', () => {
    expect(summarise('In March 2024 Acme Corp made $4.2M, up 30%.')).toEqual([
      'money:$4.2M',
      'date:March 2024',
      'number:30',
      'entity:Acme Corp',
    ]);
  });

  it('finds names mid-sentence, after titles and with particles, but not capitalised grammar words', () => {
    expect(summarise('Dr. Zhang Wei met J. Smith at the Bank of America. However, NASA agreed with Alice.')).toEqual([
      'entity:Zhang Wei',
      'entity:Smith',
      'entity:Bank of America',
      'entity:NASA',
      'entity:Alice',
    ]);
  });

  it('skips a lone capitalised word that only starts a sentence, and word fragments like iPhone', () => {
    expect(summarise('Revenue grew. Sales of the iPhone fell.')).toEqual([]);
  });

  it('treats a text that reads like a name as a value, so a lone name counts', () => {
    expect(summarise('Paris')).toEqual(['entity:Paris']);
    expect(summarise('Bank of America')).toEqual(['entity:Bank of America']);
    // A text that reads as a sentence keeps the sentence rule: "Write" and "Paris" start one.
    expect(summarise('Write to Maria')).toEqual(['entity:Maria']);
    expect(summarise('Paris is lovely')).toEqual([]);
  });

  it('takes quotations of three words or more, and leaves scare quotes to the other extractors', () => {
    expect(summarise('She said “we will grow fast” about the "agile" Kanban plan.')).toEqual(['quote:we will grow fast', 'entity:Kanban']);
  });

  it('ignores headings and list numbering, and digits inside names', () => {
    expect(summarise('## Key Findings 2024\n1. GPT-4 leads\n2) Costs fell 7%')).toEqual(['number:7', 'entity:GPT-4']);
  });

  it('finds emails before anything else claims their parts', () => {
    expect(summarise('Mail Ada.Lovelace@Example.com today')).toEqual(['email:Ada.Lovelace@Example.com']);
  });
});
