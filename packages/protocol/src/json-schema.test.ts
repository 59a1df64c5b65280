import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toJsonSchemas } from './json-schema.js';

describe('committed JSON Schema', () => {
  it('matches the zod schemas (run `npm run schema` after changing a message)', () => {
    for (const [name, schema] of Object.entries(toJsonSchemas())) {
      const committed = JSON.parse(readFileSync(new URL(`../schema/${name}.schema.json`, import.meta.url), 'utf8')) as unknown;
      expect(committed, `${name}.schema.json is stale`).toEqual(schema);
    }
  });

  it('describes a task so that defaults are optional for clients in other languages', () => {
    const schema = toJsonSchemas()['task-submission'] as { $defs: { TaskSubmission: { required?: string[] } } };
    expect(schema.$defs.TaskSubmission.required ?? []).not.toContain('tenant');
  });
});
