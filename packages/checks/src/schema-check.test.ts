import { describe, expect, it } from 'vitest';
import { createSchemaCheck } from './schema-check.js';

const schema = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false };

describe('schema check', () => {
  it('passes a valid output and fails an invalid one with a readable reason', async () => {
    const check = createSchemaCheck();
    expect((await check.run({ skill: 'extract', output: { name: 'Ada' }, outputSchema: schema })).passed).toBe(true);
    const failed = await check.run({ skill: 'extract', output: { name: 3 }, outputSchema: schema });
    expect(failed.passed).toBe(false);
    expect(failed.detail).toContain('/name must be string');
  });

  it('is unsure, never passing, when the schema itself is broken', async () => {
    const result = await createSchemaCheck().run({ skill: 'x', output: {}, outputSchema: { type: 'nope' } });
    expect(result.passed).toBe(false);
    expect(result.detail).toMatch(/^unsure:/);
  });
});
