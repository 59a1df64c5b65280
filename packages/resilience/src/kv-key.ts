const SAFE = /^[A-Za-z0-9_-]$/;

/**
 * Makes any string a valid NATS KV key: bytes outside [A-Za-z0-9_-] become `=XX`. Dots are
 * escaped too, so a model id like `gpt-4.1` never splits into subject tokens.
 */
export function encodeKvKey(key: string): string {
  let encoded = '';
  for (const byte of new TextEncoder().encode(key)) {
    const character = String.fromCharCode(byte);
    encoded += byte < 128 && SAFE.test(character) ? character : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

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
  return new TextDecoder().decode(new Uint8Array(bytes));
}
