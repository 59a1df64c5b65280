const SAFE = /^[A-Za-z0-9_-]$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Makes any string one valid NATS KV key token: bytes outside [A-Za-z0-9_-] become `=XX`. Dots are
 * escaped too, so a model id like `gpt-4.1` never splits into subject tokens (and `=` itself is
 * escaped, so decoding is exact).
 */
export function encodeKvKey(key: string): string {
  let encoded = '';
  for (const byte of encoder.encode(key)) {
    const character = String.fromCharCode(byte);
    encoded += byte < 128 && SAFE.test(character) ? character : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

/** The inverse of `encodeKvKey`. */
export function decodeKvKey(encoded: string): string {
  const bytes: number[] = [];
  for (let index = 0; index < encoded.length; index += 1) {
    if (encoded[index] === '=') {
      bytes.push(Number.parseInt(encoded.slice(index + 1, index + 3), 16));
      index += 2;
    } else {
      bytes.push(encoded.charCodeAt(index));
    }
  }
  return decoder.decode(new Uint8Array(bytes));
}

/**
 * A dot-separated key of escaped tokens, so a prefix (`kvKey('acme')`) can be watched with a
 * wildcard (`acme.>`) whatever the tokens contain.
 *
 * @example kvKey('task', 'a.b') // 'task.a=2Eb'
 */
export function kvKey(...tokens: string[]): string {
  return tokens.map(encodeKvKey).join('.');
}
