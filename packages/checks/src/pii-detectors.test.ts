import { describe, expect, it } from 'vitest';
import { cardNetwork, findPii, ibanValid, luhnValid, type PiiKind } from './pii-detectors.js';

const kindsIn = (text: string): PiiKind[] => findPii(text).map((match) => match.kind);

describe('pii detectors', () => {
  it('validates Luhn, card networks and IBAN checksums', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(cardNetwork('378282246310005')).toBe('amex');
    expect(cardNetwork('5555555555554444')).toBe('mastercard');
    // Valid Luhn, but no card network starts with 1.
    expect(luhnValid('1234567812345670')).toBe(true);
    expect(cardNetwork('1234567812345670')).toBeUndefined();
    expect(ibanValid('DE89 3704 0044 0532 0130 00')).toBe(true);
    expect(ibanValid('DE89 3704 0044 0532 0130 01')).toBe(false);
  });

  it.each([
    ['email', 'reach me at ada.lovelace+work@example.co.uk today'],
    ['phone', 'call +44 20 7946 0958 now'],
    ['phone', 'office: (415) 555-2671'],
    ['phone', 'cell 415-555-2671.'],
    ['phone', 'dial +1 415 555 2671'],
    ['card', 'card 4111 1111 1111 1111 exp 12/29'],
    ['card', 'amex 3782-822463-10005'],
    ['card', 'number 5555555555554444'],
    ['iban', 'pay to GB82 WEST 1234 5698 7654 32 please'],
    ['iban', 'IBAN DE89370400440532013000.'],
    ['ssn', 'SSN 123-45-6789 on file'],
    ['ssn', 'social security number: 123456789'],
    ['ip', 'from 192.168.10.254 at noon'],
    ['ip', 'host 2001:db8::8a2e:370:7334 replied'],
    ['ip', 'loopback is ::1.'],
  ] as const)('finds %s in %j', (kind, text) => {
    expect(kindsIn(text)).toEqual([kind]);
  });

  it.each([
    ['years and year ranges', 'between 2019 and 2024, or 1999-2005'],
    ['an ISO date and a time', 'on 2024-01-15 at 12:30:45'],
    ['a bare 10-digit id', 'order 4155552671 shipped'],
    ['a page range', 'see pages 100-200'],
    ['a random 16-digit number (Luhn fails)', 'ref 4111 1111 1111 1112'],
    ['a Luhn-valid number without a card network', 'ref 1234567812345670'],
    ['an IBAN with a wrong checksum', 'GB82 WEST 1234 5698 7654 33'],
    ['an impossible SSN', 'codes 000-12-3456 and 666-12-3456'],
    ['a version string and an invalid address', 'v1.2.3.4 and 999.10.10.10 and 1.2.3.4.5'],
    ['a C++ scope and a MAC address', 'std::vector at 00:1A:2B:3C:4D:5E'],
    ['money and percentages', 'revenue of $1,234,567.89 grew 12.5% to 3,000,000'],
    ['an email-like handle without a domain', 'ping @ada or ada@localhost'],
  ])('finds nothing in %s', (_name, text) => {
    expect(findPii(text)).toEqual([]);
  });

  it('finds a card followed by another number, and reports each span once', () => {
    const matches = findPii('card 4111 1111 1111 1111 12 items, mail bob@example.org');
    expect(matches.map((match) => [match.kind, match.value])).toEqual([
      ['card', '4111 1111 1111 1111'],
      ['email', 'bob@example.org'],
    ]);
  });

  it('does not report an IBAN or a key a second time as a phone or a card', () => {
    expect(kindsIn('DE89 3704 0044 0532 0130 00')).toEqual(['iban']);
    expect(kindsIn('AKIA2E0A8F3B244C9986')).toEqual(['secret']);
  });

  it('returns only the requested kinds', () => {
    const text = 'ada@example.com, +44 20 7946 0958';
    expect(findPii(text, new Set<PiiKind>(['phone'])).map((match) => match.kind)).toEqual(['phone']);
  });
});
