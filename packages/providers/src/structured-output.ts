import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { ErrorCode, TroupeError } from '@troupe/protocol';

/**
 * Checks structured output on arrival: the APIs' JSON-schema modes are strong hints, not proofs
 * (OpenAI non-strict schemas, OpenAI-compatible servers, truncated output), so every parsed
 * value is validated again with ajv before it leaves the provider.
 */
export interface StructuredOutput {
  /** The schema as sent on the wire (no `$schema`); throws UNSUPPORTED_SCHEMA if it does not compile. */
  prepare(schema: Record<string, unknown>): Record<string, unknown>;
  /** Parses and validates; throws OUTPUT_INVALID naming the first problems. */
  check(text: string, schema: Record<string, unknown>, source: { provider: string; modelId: string }): unknown;
}

export function createStructuredOutput(): StructuredOutput {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const compiled = new WeakMap<object, ValidateFunction>();
  const wire = (schema: Record<string, unknown>) => {
    const { $schema: _dialect, ...rest } = schema;
    return rest;
  };
  const validatorFor = (schema: Record<string, unknown>): ValidateFunction => {
    let validate = compiled.get(schema);
    if (!validate) {
      try {
        validate = ajv.compile(wire(schema));
      } catch (error) {
        throw new TroupeError(ErrorCode.UNSUPPORTED_SCHEMA, `the response schema does not compile: ${(error as Error).message}`, { cause: error });
      }
      compiled.set(schema, validate);
    }
    return validate;
  };
  return {
    prepare(schema) {
      validatorFor(schema);
      return wire(schema);
    },
    check(text, schema, source) {
      const validate = validatorFor(schema);
      const label = `${source.provider} ${source.modelId}`;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw new TroupeError(ErrorCode.OUTPUT_INVALID, `${label}: the output is not JSON: ${(error as Error).message}`, {
          cause: error,
          details: { ...source, reason: 'not-json' },
        });
      }
      if (!validate(value)) {
        const problems = describe(validate.errors ?? []);
        throw new TroupeError(ErrorCode.OUTPUT_INVALID, `${label}: the output does not match the schema: ${problems.join('; ')}`, {
          details: { ...source, reason: 'schema-mismatch', problems },
        });
      }
      return value;
    },
  };
}

function describe(errors: ErrorObject[]): string[] {
  return errors.slice(0, 5).map((error) => `${error.instancePath || '(root)'} ${error.message ?? 'is invalid'}`);
}

/**
 * Whether OpenAI's `strict: true` accepts the schema: every object closed and fully required.
 * Strict mode guarantees the shape; a schema that cannot be strict is still sent, non-strict.
 */
export function isStrictCompatible(schema: unknown): boolean {
  if (!schema || typeof schema !== 'object') return true;
  const node = schema as Record<string, unknown>;
  const properties = node.properties && typeof node.properties === 'object' ? (node.properties as Record<string, unknown>) : undefined;
  if (node.type === 'object' || properties) {
    if (node.additionalProperties !== false) return false;
    const required = Array.isArray(node.required) ? node.required : [];
    if (!Object.keys(properties ?? {}).every((key) => required.includes(key))) return false;
  }
  const children = [
    ...Object.values(properties ?? {}),
    node.items,
    ...Object.values((node.$defs as Record<string, unknown> | undefined) ?? {}),
    ...((node.anyOf as unknown[] | undefined) ?? []),
  ];
  return children.every(isStrictCompatible);
}
