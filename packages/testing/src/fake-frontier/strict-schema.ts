import { isRecord } from './fake-provider-server.js';

/**
 * The rule OpenAI's strict structured outputs enforce: every object lists all its properties as
 * required and sets `additionalProperties: false`. Returns the first violation, like the API does.
 */
export function strictSchemaViolation(schema: unknown, path = '(root)'): string | undefined {
  if (!isRecord(schema)) return undefined;
  const properties = isRecord(schema.properties) ? schema.properties : undefined;
  if (schema.type === 'object' || properties) {
    if (schema.additionalProperties !== false) {
      return `In context=${path}, 'additionalProperties' is required to be supplied and to be false.`;
    }
    const required = Array.isArray(schema.required) ? schema.required : [];
    for (const key of Object.keys(properties ?? {})) {
      if (!required.includes(key)) return `In context=${path}, 'required' is required to include every key in properties. Missing '${key}'.`;
    }
  }
  const children: Array<[string, unknown]> = [
    ...Object.entries(properties ?? {}).map(([key, value]): [string, unknown] => [`${path}.properties.${key}`, value]),
    [`${path}.items`, schema.items],
    ...Object.entries(isRecord(schema.$defs) ? schema.$defs : {}).map(([key, value]): [string, unknown] => [`${path}.$defs.${key}`, value]),
    ...(Array.isArray(schema.anyOf) ? schema.anyOf : []).map((value, index): [string, unknown] => [`${path}.anyOf.${index}`, value]),
  ];
  for (const [childPath, child] of children) {
    const violation = strictSchemaViolation(child, childPath);
    if (violation) return violation;
  }
  return undefined;
}
