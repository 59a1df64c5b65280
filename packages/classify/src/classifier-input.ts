import { ErrorCode, TroupeError } from '@troupe/protocol';

/**
 * The text a classifier node classifies. A worker's user message is the node input as JSON,
 * `{"task": <task input>, "from": {...}}`; the text is `task` itself when it is a string, the field
 * `textField` names (dot path, inside `task`), or else the first string found in the task input.
 */
export function classifierText(userMessage: string, textField?: string): string {
  let input: unknown;
  try {
    input = JSON.parse(userMessage);
  } catch {
    input = userMessage;
  }
  const task = input !== null && typeof input === 'object' && 'task' in input ? (input as { task: unknown }).task : input;
  const text = textField ? readPath(task, textField) : firstString(task);
  if (typeof text !== 'string' || text.trim() === '') {
    throw new TroupeError(ErrorCode.BAD_REQUEST, textField ? `the input has no text at "${textField}" to classify` : 'the input has no text to classify');
  }
  return text;
}

function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function firstString(value: unknown, depth = 0): string | undefined {
  if (typeof value === 'string') return value;
  if (depth > 8 || value === null || typeof value !== 'object') return undefined;
  for (const child of Object.values(value)) {
    const found = firstString(child, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}
