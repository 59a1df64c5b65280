import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { CheckResult } from '@troupe/protocol';
import type { Check, CheckInput } from './check.js';

/** Validates the output against the node's JSON Schema; compiled validators are cached per schema. */
export function createSchemaCheck(): Check {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const cache = new WeakMap<object, ValidateFunction>();
  const validatorFor = (schema: Record<string, unknown>): ValidateFunction => {
    let validate = cache.get(schema);
    if (!validate) {
      validate = ajv.compile(schema);
      cache.set(schema, validate);
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
