import type { z } from 'zod';
import { ErrorCode, TroupeError } from '@troupe/protocol';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/**
 * Deepest nesting of arrays and objects a service accepts. V8's JSON.parse copes with any depth
 * but JSON.stringify and every recursive walk overflow the stack near 10,000 levels, so a value
 * nested deeper could be accepted and then never stored, forwarded or answered.
 */
export const DEFAULT_MAX_JSON_DEPTH = 256;

/** Whether JSON text nests deeper than `maxDepth`; bytes inside strings are skipped. */
export function exceedsJsonDepth(data: Uint8Array, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < data.length; index += 1) {
    const byte = data[index]!;
    if (inString) {
      if (byte === 0x5c) index += 1; // backslash: skip the escaped byte
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x5b || byte === 0x7b) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (byte === 0x5d || byte === 0x7d) depth -= 1;
  }
  return false;
}

/**
 * Bytes → a typed value, or a TroupeError: PAYLOAD_TOO_LARGE, BAD_REQUEST (not UTF-8 / not JSON /
 * nested deeper than `maxDepth`),
 * or `invalidCode` (JSON that does not match the schema) with the first issues in the message.
 */
export function decodeJson<Schema extends z.ZodType>(
  data: Uint8Array,
  schema: Schema,
  options: { maxBytes: number; maxDepth?: number; invalidCode?: typeof ErrorCode.INVALID_TASK | typeof ErrorCode.BAD_REQUEST },
): z.output<Schema> {
  if (data.length > options.maxBytes) {
    throw new TroupeError(ErrorCode.PAYLOAD_TOO_LARGE, `payload is ${data.length} bytes; the limit is ${options.maxBytes}`);
  }
  if (data.length === 0) throw new TroupeError(ErrorCode.BAD_REQUEST, 'payload is empty; expected a JSON object');
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_JSON_DEPTH;
  if (exceedsJsonDepth(data, maxDepth)) throw new TroupeError(ErrorCode.BAD_REQUEST, `payload nests arrays or objects deeper than ${maxDepth} levels`);
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(data));
  } catch {
    throw new TroupeError(ErrorCode.BAD_REQUEST, 'payload is not valid UTF-8 JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new TroupeError(options.invalidCode ?? ErrorCode.BAD_REQUEST, `payload does not match the schema: ${issues.join('; ')}`, {
      details: { issues },
    });
  }
  return parsed.data;
}
