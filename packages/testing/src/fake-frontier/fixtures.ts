import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Where the recorded wire fixtures live. Tests run from `src/` (the `@troupe/source` condition);
 * the compiled copy in `dist/` reads the same files from `src/`, since tsc does not copy them.
 */
function fixturesDirectory(): string {
  const beside = fileURLToPath(new URL('./__fixtures__/', import.meta.url));
  if (existsSync(beside)) return beside;
  return fileURLToPath(new URL('../../src/fake-frontier/__fixtures__/', import.meta.url));
}

const cache = new Map<string, string>();

/** The raw text of one fixture, e.g. `openai/chat-completion.json`. */
export function fixtureText(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(fixturesDirectory() + name, 'utf8');
    cache.set(name, text);
  }
  return text;
}

/** A fresh, mutable copy of a JSON fixture with `{{placeholders}}` filled in every string value. */
export function fixtureJson<T = Record<string, unknown>>(name: string, values: Record<string, string> = {}): T {
  return fill(JSON.parse(fixtureText(name)), values) as T;
}

function fill(value: unknown, values: Record<string, string>): unknown {
  if (typeof value === 'string') return value.replace(/\{\{(\w+)\}\}/g, (_, key: string) => values[key] ?? '');
  if (Array.isArray(value)) return value.map((item) => fill(item, values));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fill(item, values)]));
  }
  return value;
}
