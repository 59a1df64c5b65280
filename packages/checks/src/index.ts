export type { Check, CheckInput } from './check.js';
export { createSchemaCheck } from './schema-check.js';
