import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TroupeError } from '@troupe/protocol';
import { DEFAULT_MAX_JSON_DEPTH, decodeJson, exceedsJsonDepth } from './codec.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const deep = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

describe('exceedsJsonDepth', () => {
  it('counts arrays and objects, not brackets inside strings or after escaped quotes', () => {
    expect(exceedsJsonDepth(bytes(deep(3)), 3)).toBe(false);
    expect(exceedsJsonDepth(bytes(deep(4)), 3)).toBe(true);
    expect(exceedsJsonDepth(bytes('{"a":{"b":{"c":1}}}'), 2)).toBe(true);
    expect(exceedsJsonDepth(bytes(`{"text":"${'['.repeat(50)}"}`), 2)).toBe(false);
    expect(exceedsJsonDepth(bytes(`{"text":"\\"${'{'.repeat(50)}"}`), 2)).toBe(false);
    expect(exceedsJsonDepth(bytes(`[["\\\\"],[${deep(2)}]]`), 3)).toBe(true);
  });
});

describe('decodeJson', () => {
  const Task = z.object({ input: z.unknown() });

  it('bug (found by npm run fuzz): a task whose input nested 10,000 deep was accepted, could never be stored, and its request hung', () => {
    const error = (() => {
      try {
        decodeJson(bytes(`{"input":${deep(10_000)}}`), Task, { maxBytes: 1_000_000 });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(TroupeError);
    expect((error as TroupeError).code).toBe('BAD_REQUEST');
    expect((error as TroupeError).message).toContain(String(DEFAULT_MAX_JSON_DEPTH));
  });

  it('accepts nesting up to the limit, and every value it accepts can be serialised again', () => {
    const value = decodeJson(bytes(`{"input":${deep(DEFAULT_MAX_JSON_DEPTH - 1)}}`), Task, { maxBytes: 1_000_000 });
    expect(JSON.stringify(value).length).toBeGreaterThan(2 * (DEFAULT_MAX_JSON_DEPTH - 1));
    expect(() => decodeJson(bytes(`{"input":${deep(DEFAULT_MAX_JSON_DEPTH)}}`), Task, { maxBytes: 1_000_000 })).toThrow(TroupeError);
  });
});
