import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { CheckResult } from '@troupe/protocol';
import type { Check, CheckInput } from './check.js';

/** Validates the output against the node's JSON Schema; compiled validators are cached per schema. */
export function createSchemaCheck(): Check {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  // Schemas arrive as fresh objects in every message, so cache compiled validators by content:
  // compiling costs milliseconds, validating microseconds.
  const cache = new Map<string, ValidateFunction>();
  const validatorFor = (schema: Record<string, unknown>): ValidateFunction => {
    const key = JSON.stringify(schema);
    let validate = cache.get(key);
    if (!validate) {
      validate = ajv.compile(schema);
      cache.set(key, validate);
      if (cache.size > 1_000) cache.delete(cache.keys().next().value!);
    }
    return validate;
  };
  return {
    name: 'schema',
    async run(input: CheckInput): Promise<CheckResult> {
      if (!input.outputSchema) return { name: 'schema', passed: true, score: 1, detail: 'no schema given' };
      let validate: ValidateFunction;
      try {
        validate = validatorFor(input.outputSchema);
      } catch (error) {
        return { name: 'schema', passed: false, detail: `unsure: the schema does not compile: ${(error as Error).message}` };
      }
      if (validate(input.output)) return { name: 'schema', passed: true, score: 1 };
      return { name: 'schema', passed: false, score: 0, detail: describeErrors(validate.errors ?? []) };
    },
  };
}

function describeErrors(errors: ErrorObject[]): string {
  return errors
    .slice(0, 5)
    .map((error) => `${error.instancePath || '(root)'} ${error.message ?? 'is invalid'}`)
    .join('; ');
}
