import { TroupeError } from '@troupe/protocol';
import { describe, expect, it } from 'vitest';
import { toGrammarSchema } from './grammar-schema.js';

function rejection(schema: Record<string, unknown>): TroupeError {
  try {
    toGrammarSchema(schema);
  } catch (error) {
    if (error instanceof TroupeError) return error;
    throw error;
  }
  throw new Error('schema was accepted');
}

describe('grammar schema', () => {
  it('keeps what a grammar enforces, drops annotations and turns anyOf into oneOf', () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      title: 'Person',
      type: 'object',
      properties: {
        name: { type: 'string', maxLength: 40, description: 'full name' },
        born: { type: 'string', format: 'date' },
        tags: { type: 'array', items: { enum: ['a', 'b'] }, maxItems: 3 },
        nickname: { anyOf: [{ type: 'string' }, { type: 'null' }] },
        home: { $ref: '#/$defs/place' },
      },
      required: ['name'],
      additionalProperties: false,
      $defs: { place: { type: 'object', properties: { city: { type: 'string' } } } },
    };
    expect(toGrammarSchema(schema)).toEqual({
      type: 'object',
      properties: {
        name: { type: 'string', maxLength: 40, description: 'full name' },
        born: { type: 'string', format: 'date' },
        tags: { type: 'array', items: { enum: ['a', 'b'] }, maxItems: 3 },
        nickname: { oneOf: [{ type: 'string' }, { type: 'null' }] },
        home: { $ref: '#/$defs/place' },
      },
      required: ['name'],
      additionalProperties: false,
      $defs: { place: { type: 'object', properties: { city: { type: 'string' } } } },
    });
  });

  it.each([
    [{ type: 'string', pattern: '^a' }, '/', 'pattern'],
    [{ type: 'object', properties: { n: { type: 'number', minimum: 1 } } }, '/properties/n', 'minimum'],
    [{ allOf: [{ type: 'string' }] }, '/', 'allOf'],
    [{ type: 'string', format: 'email' }, '/', 'email'],
    [{ type: 'object', properties: { a: { type: 'string' } }, required: ['a', 'b'] }, '/', '"b"'],
    [{ type: 'object', properties: { a: { $ref: '#/$defs/missing' } } }, '/properties/a', '$ref'],
    [{ type: 'frob' }, '/', 'frob'],
    [{ type: ['object', 'null'] }, '/', 'anyOf'],
    [{ type: 'array', items: true }, '/items', 'boolean'],
  ])('refuses %j at %s with UNSUPPORTED_SCHEMA', (schema, pointer, mention) => {
    const error = rejection(schema);
    expect(error.code).toBe('UNSUPPORTED_SCHEMA');
    expect(error.details?.pointer).toBe(pointer);
    expect(error.message).toContain(mention);
  });
});
