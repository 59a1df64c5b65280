/** One piece of text found in a node's output, with where it was found. */
export interface OutputString {
  /** JSONPath-like location: `$`, `$.contacts[0].email`, `$["odd key"]`. */
  path: string;
  text: string;
  /** The property name the value sits under, when it sits under one (secrets hide behind names like `apiKey`). */
  key?: string;
}

// Outputs come from models and may be deeply nested by accident or on purpose; past this depth
// the walk stops rather than risk a stack overflow in the judge.
const MAX_DEPTH = 64;

/**
 * Every string (and finite number, as its decimal text) inside an output, depth-first in document
 * order. Numbers are included because a card number or a figure can arrive as a JSON number.
 * Cycles are skipped, so a hand-built object graph cannot hang the judge.
 */
export function collectStrings(output: unknown): OutputString[] {
  const found: OutputString[] = [];
  const seen = new WeakSet<object>();
  const visit = (value: unknown, path: string, depth: number, key: string | undefined): void => {
    if (typeof value === 'string') {
      found.push(key === undefined ? { path, text: value } : { path, text: value, key });
      return;
    }
    if (typeof value === 'number' || typeof value === 'bigint') {
      if (typeof value === 'number' && !Number.isFinite(value)) return;
      const text = String(value);
      found.push(key === undefined ? { path, text } : { path, text, key });
      return;
    }
    if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, `${path}[${index}]`, depth + 1, key));
      return;
    }
    for (const [name, item] of Object.entries(value)) visit(item, childPath(path, name), depth + 1, name);
  };
  visit(output, '$', 0, undefined);
  return found;
}

function childPath(parent: string, name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `${parent}.${name}` : `${parent}[${JSON.stringify(name)}]`;
}
