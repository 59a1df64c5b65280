const MIN_FRAGMENT = 8;
export const REDACTED = '[REDACTED]';

/**
 * Removes every secret from `text`, and every fragment of one that is 8 characters or longer —
 * some APIs echo a partly masked key (`sk-abc…wxyz`) in their error messages.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length < MIN_FRAGMENT) {
      if (secret) result = result.split(secret).join(REDACTED);
      continue;
    }
    result = redactFragments(result, secret);
  }
  return result;
}

function redactFragments(text: string, secret: string): string {
  let output = '';
  let index = 0;
  while (index < text.length) {
    const length = longestFragmentAt(text, index, secret);
    if (length >= MIN_FRAGMENT) {
      output += REDACTED;
      index += length;
    } else {
      output += text[index];
      index += 1;
    }
  }
  return output;
}

/** Length of the longest substring of `secret` that starts at `text[start]`. */
function longestFragmentAt(text: string, start: number, secret: string): number {
  let best = 0;
  for (let offset = secret.indexOf(text[start] ?? ''); offset !== -1; offset = secret.indexOf(text[start] ?? '', offset + 1)) {
    let length = 0;
    while (start + length < text.length && offset + length < secret.length && text[start + length] === secret[offset + length]) length += 1;
    best = Math.max(best, length);
  }
  return best;
}
