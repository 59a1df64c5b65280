import { ErrorCode, TroupeError } from '@troupe/protocol';

type Schema = Record<string, unknown>;

/** Keywords that only document a schema; dropped before the grammar is built. */
const ANNOTATIONS = new Set(['$schema', '$id', '$comment', 'title', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly']);
const PRIMITIVE_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'null']);
const STRING_FORMATS = new Set(['date-time', 'date', 'time']);
/** Keywords node-llama-cpp's JSON-schema grammar enforces, per type. */
const TYPE_KEYWORDS: Record<string, ReadonlySet<string>> = {
  string: new Set(['minLength', 'maxLength', 'format']),
  number: new Set(),
  integer: new Set(),
  boolean: new Set(),
  null: new Set(),
  object: new Set(['properties', 'additionalProperties', 'required', 'minProperties', 'maxProperties']),
  array: new Set(['items', 'prefixItems', 'minItems', 'maxItems']),
};

/**
 * Checks that a JSON Schema can be enforced by a llama.cpp grammar and returns the form to hand to
 * `llama.createGrammarForJsonSchema`. node-llama-cpp silently ignores keywords it cannot express
 * (`pattern`, `minimum`, `allOf` ...) and would produce output that fails the judge's schema check;
 * we refuse such schemas up front so the router can pick a model with a native JSON-schema mode.
 *
 * `anyOf` becomes `oneOf`: any value the grammar picks from one branch satisfies `anyOf`.
 *
 * @throws TroupeError UNSUPPORTED_SCHEMA naming the JSON pointer and keyword that cannot be enforced.
 */
export function toGrammarSchema(schema: Record<string, unknown>): Record<string, unknown> {
  return normalize(schema, '', new Set());
}

function normalize(value: unknown, pointer: string, inheritedDefs: ReadonlySet<string>): Schema {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw unsupported(pointer, 'a schema must be an object here (boolean schemas cannot be enforced)');
  }
  const schema = value as Schema;
  for (const key of ['definitions', 'allOf', 'not', 'if', 'then', 'else', 'dependentSchemas', 'unevaluatedProperties']) {
    if (key in schema) throw unsupported(pointer, `keyword "${key}" cannot be enforced by a grammar${key === 'definitions' ? ' (use "$defs")' : ''}`);
  }
  const defs = new Set(inheritedDefs);
  const ownDefs = schema.$defs === undefined ? undefined : asRecord(schema.$defs, `${pointer}/$defs`);
  for (const name of Object.keys(ownDefs ?? {})) defs.add(name);

  const out: Schema = {};
  if (typeof schema.description === 'string') out.description = schema.description;
  if (ownDefs) out.$defs = mapValues(ownDefs, (child, name) => normalize(child, `${pointer}/$defs/${name}`, defs));

  const handled = new Set(['description', '$defs', ...ANNOTATIONS]);
  const rest = () => Object.keys(schema).filter((key) => !handled.has(key));

  if ('$ref' in schema) {
    const target = /^#\/\$defs\/([^/]+)$/.exec(String(schema.$ref))?.[1];
    if (target === undefined || !defs.has(target)) throw unsupported(pointer, `"$ref" must point to an existing "#/$defs/<name>", got "${String(schema.$ref)}"`);
    out.$ref = schema.$ref;
    handled.add('$ref');
  } else if ('const' in schema) {
    if (!isPrimitive(schema.const)) throw unsupported(pointer, '"const" must be a string, number, boolean or null');
    out.const = schema.const;
    handled.add('const').add('type');
  } else if ('enum' in schema) {
    if (!Array.isArray(schema.enum) || schema.enum.length === 0 || !schema.enum.every(isPrimitive)) {
      throw unsupported(pointer, '"enum" must be a non-empty list of strings, numbers, booleans or null');
    }
    out.enum = schema.enum;
    handled.add('enum').add('type');
  } else if ('oneOf' in schema || 'anyOf' in schema) {
    const key = 'oneOf' in schema ? 'oneOf' : 'anyOf';
    const branches = schema[key];
    if (!Array.isArray(branches) || branches.length === 0) throw unsupported(pointer, `"${key}" must be a non-empty list`);
    out.oneOf = branches.map((branch, index) => normalize(branch, `${pointer}/${key}/${index}`, defs));
    handled.add(key);
  } else if ('type' in schema) {
    normalizeTyped(schema, out, pointer, defs);
    handled.add('type');
    const types = Array.isArray(schema.type) ? ['__primitive'] : [String(schema.type)];
    for (const type of types) for (const key of TYPE_KEYWORDS[type] ?? []) handled.add(key);
  }
  const leftover = rest();
  if (leftover.length > 0) throw unsupported(pointer, `keyword "${leftover[0]}" cannot be enforced by a grammar here`);
  return out;
}

function normalizeTyped(schema: Schema, out: Schema, pointer: string, defs: ReadonlySet<string>): void {
  if (Array.isArray(schema.type)) {
    if (schema.type.length === 0 || !schema.type.every((type) => typeof type === 'string' && PRIMITIVE_TYPES.has(type))) {
      throw unsupported(pointer, 'a list of types may only name string, number, integer, boolean and null (use "anyOf" for objects and arrays)');
    }
    out.type = schema.type;
    return;
  }
  const type = String(schema.type);
  if (!(type in TYPE_KEYWORDS)) throw unsupported(pointer, `unknown type "${type}"`);
  out.type = type;
  if (type === 'string') {
    if (schema.format !== undefined) {
      if (!STRING_FORMATS.has(String(schema.format))) throw unsupported(pointer, `string format "${String(schema.format)}" cannot be enforced (date-time, date and time can)`);
      if (schema.minLength !== undefined || schema.maxLength !== undefined) throw unsupported(pointer, '"format" cannot be combined with minLength/maxLength');
      out.format = schema.format;
    }
    copyCounts(schema, out, pointer, ['minLength', 'maxLength']);
  } else if (type === 'object') {
    const properties = schema.properties === undefined ? {} : asRecord(schema.properties, `${pointer}/properties`);
    if (schema.properties !== undefined) out.properties = mapValues(properties, (child, name) => normalize(child, `${pointer}/properties/${name}`, defs));
    if (typeof schema.additionalProperties === 'boolean') out.additionalProperties = schema.additionalProperties;
    else if (schema.additionalProperties !== undefined) {
      out.additionalProperties = normalize(schema.additionalProperties, `${pointer}/additionalProperties`, defs);
    }
    if (schema.required !== undefined) {
      if (!Array.isArray(schema.required)) throw unsupported(pointer, '"required" must be a list of property names');
      // The grammar writes exactly the declared properties, so a required name must be one of them.
      const missing = schema.required.find((name) => typeof name !== 'string' || !(name in properties));
      if (missing !== undefined) throw unsupported(pointer, `required property "${String(missing)}" is not declared in "properties"`);
      out.required = schema.required;
    }
    copyCounts(schema, out, pointer, ['minProperties', 'maxProperties']);
  } else if (type === 'array') {
    if (schema.items !== undefined) out.items = normalize(schema.items, `${pointer}/items`, defs);
    if (schema.prefixItems !== undefined) {
      if (!Array.isArray(schema.prefixItems)) throw unsupported(pointer, '"prefixItems" must be a list of schemas');
      out.prefixItems = schema.prefixItems.map((item, index) => normalize(item, `${pointer}/prefixItems/${index}`, defs));
    }
    copyCounts(schema, out, pointer, ['minItems', 'maxItems']);
  }
}

function copyCounts(schema: Schema, out: Schema, pointer: string, keys: readonly string[]): void {
  for (const key of keys) {
    const value = schema[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw unsupported(pointer, `"${key}" must be a non-negative integer`);
    out[key] = value;
  }
}

function asRecord(value: unknown, pointer: string): Schema {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw unsupported(pointer, 'expected an object');
  return value as Schema;
}

function mapValues(record: Schema, map: (value: unknown, key: string) => Schema): Schema {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value, key)]));
}

function isPrimitive(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function unsupported(pointer: string, reason: string): TroupeError {
  const at = pointer === '' ? '/' : pointer;
  return new TroupeError(ErrorCode.UNSUPPORTED_SCHEMA, `responseSchema at ${at}: ${reason}`, { details: { pointer: at } });
}
