import type { z } from 'zod';
import { ErrorCode, TroupeError } from '@troupe/protocol';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/**
 * Bytes → a typed value, or a TroupeError: PAYLOAD_TOO_LARGE, BAD_REQUEST (not UTF-8 / not JSON),
 * or `invalidCode` (JSON that does not match the schema) with the first issues in the message.
 */
export function decodeJson<Schema extends z.ZodType>(
  data: Uint8Array,
  schema: Schema,
  options: { maxBytes: number; invalidCode?: typeof ErrorCode.INVALID_TASK | typeof ErrorCode.BAD_REQUEST },
): z.output<Schema> {
  if (data.length > options.maxBytes) {
    throw new TroupeError(ErrorCode.PAYLOAD_TOO_LARGE, `payload is ${data.length} bytes; the limit is ${options.maxBytes}`);
  }
  if (data.length === 0) throw new TroupeError(ErrorCode.BAD_REQUEST, 'payload is empty; expected a JSON object');
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
