import { describe, expect, it } from 'vitest';
import { createPiiCheck, normalisePii, redact } from './pii-check.js';

const OPENAI_KEY = 'sk-proj-4fQ9xT2mB7vL1nR8kW3zY6hJ0cD5gA';
const HEX_KEY = 'a8f5f167f44f4964e6c998dee827110c';

/** Every four-character window of a secret; none may appear in a detail. */
const windowsOf = (secret: string): string[] => Array.from({ length: secret.length - 3 }, (_, index) => secret.slice(index, index + 4));

describe('pii check', () => {
  it('passes clean output', async () => {
    const result = await createPiiCheck().run({ skill: 'summarise', output: { summary: 'Revenue rose 12% in 2024 to $3.1M.' } });
    expect(result).toEqual({ name: 'pii', passed: true, score: 1 });
  });

  it('walks nested JSON and reports kinds with JSON paths', async () => {
    const output = { contacts: [{ name: 'Ada' }, { reach: { email: 'ada@example.com', phone: '+44 20 7946 0958' } }], card: 4111111111111111 };
    const result = await createPiiCheck().run({ skill: 'extract', output });
    expect(result.passed).toBe(false);
    expect(result.score).toBe(0);
    expect(result.detail).toBe(
      'found 3 (email, phone, card): email at $.contacts[1].reach.email (…om); phone at $.contacts[1].reach.phone (…58); card at $.card (…11)',
    );
  });

  it('never prints a secret, only its kind, path and last two characters', async () => {
    const output = { config: { note: `use ${OPENAI_KEY} for prod`, apiKey: HEX_KEY } };
    const result = await createPiiCheck().run({ skill: 'configure', output });
    expect(result.passed).toBe(false);
    expect(result.detail).toContain('secret(openai-key) at $.config.note (…gA)');
    expect(result.detail).toContain('secret(named-credential) at $.config.apiKey (…0c)');
    for (const window of [...windowsOf(OPENAI_KEY), ...windowsOf(HEX_KEY)]) expect(result.detail).not.toContain(window);
  });

  it('redacts short values completely', () => {
    expect(redact('a@b.io')).toBe('…');
    expect(redact('ada@example.com')).toBe('…om');
  });

  it('looks only for the configured kinds', async () => {
    const output = 'mail ada@example.com or call (415) 555-2671';
    const result = await createPiiCheck({ kinds: ['phone'] }).run({ skill: 'reply', output });
    expect(result.detail).toBe('found 1 (phone): phone at $ (…71)');
  });

  it('allows listed values, compared after normalisation, and patterns', async () => {
    const check = createPiiCheck({ allow: ['Support@Troupe.dev', /@troupe\.dev$/, '+1 (415) 555-2671'] });
    const output = { a: 'support@troupe.dev', b: 'sales@troupe.dev', c: '415-555-2671' };
    expect((await check.run({ skill: 'reply', output })).passed).toBe(true);
    const leaked = await check.run({ skill: 'reply', output: { ...output, d: 'ada@example.com' } });
    expect(leaked.detail).toBe('found 1 (email): email at $.d (…om)');
  });

  it('allows PII from the context only when configured, and never secrets by default', async () => {
    const input = {
      skill: 'reply',
      context: `Customer ada@example.com, phone (415) 555-2671, key ${OPENAI_KEY}`,
      output: { to: 'ADA@example.com', phone: '+1 415 555 2671', key: OPENAI_KEY },
    };
    expect((await createPiiCheck().run(input)).detail).toMatch(/^found 3 \(email, phone, secret\)/);
    const fromContext = await createPiiCheck({ allowFromContext: true }).run(input);
    expect(fromContext.detail).toBe('found 1 (secret): secret(openai-key) at $.key (…gA)');
    const emailOnly = await createPiiCheck({ allowFromContext: ['email'] }).run(input);
    expect(emailOnly.detail).toMatch(/^found 2 \(phone, secret\)/);
    // An email that was not in the context is still a leak.
    const other = await createPiiCheck({ allowFromContext: true }).run({ ...input, output: { to: 'bob@example.com' } });
    expect(other.passed).toBe(false);
  });

  it('caps the listed findings', async () => {
    const output = Array.from({ length: 4 }, (_, index) => `user${index}@example.com`);
    const result = await createPiiCheck({ maxListed: 2 }).run({ skill: 'x', output });
    expect(result.detail).toBe('found 4 (email): email at $[0] (…om); email at $[1] (…om); and 2 more');
  });

  it('normalises sightings so that the same value meets itself', () => {
    expect(normalisePii('phone', '+1 (415) 555-2671')).toBe(normalisePii('phone', '415.555.2671'));
    expect(normalisePii('iban', 'de89 3704 0044 0532 0130 00')).toBe('DE89370400440532013000');
    expect(normalisePii('card', '4111-1111-1111-1111')).toBe('4111111111111111');
  });
});
