// Regenerates schema/*.json from the zod schemas; a test fails when the committed files are stale.
import { writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { toJsonSchemas } from '../src/json-schema.js';

const directory = fileURLToPath(new URL('../schema/', import.meta.url));
mkdirSync(directory, { recursive: true });
for (const [name, schema] of Object.entries(toJsonSchemas())) {
  writeFileSync(`${directory}${name}.schema.json`, `${JSON.stringify(schema, null, 2)}\n`);
}
process.stdout.write(`wrote ${Object.keys(toJsonSchemas()).length} schemas to ${directory}\n`);
