import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ErrorCode, TroupeError } from '@troupe/protocol';

/** The fields of a recorded-outcome row (RouterBench row format) a replay model needs. Scores are never read. */
const RecordedRow = z.object({
  id: z.string().optional(),
  prompt: z.string(),
  models: z.record(z.string(), z.object({ cost_usd: z.number().nonnegative(), latency_ms: z.number().nonnegative().optional() }).passthrough()),
  responses: z.record(z.string(), z.string()).default({}),
});
export type RecordedRow = z.infer<typeof RecordedRow>;

/** Recorded rows indexed by prompt text, the key a replay model looks answers up by. */
export interface RecordedBook {
  readonly size: number;
  find(prompt: string): RecordedRow | undefined;
}

/** Parses JSON lines into a book; a malformed line is a typed error naming the line, never a crash. */
export function parseRecordedRows(text: string): RecordedBook {
  const byPrompt = new Map<string, RecordedRow>();
  text.split('\n').forEach((line, index) => {
    if (line.trim().length === 0) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new TroupeError(ErrorCode.CONFIG_INVALID, `recorded rows: line ${index + 1} is not JSON`);
    }
    const parsed = RecordedRow.safeParse(json);
    if (!parsed.success) throw new TroupeError(ErrorCode.CONFIG_INVALID, `recorded rows: line ${index + 1}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    byPrompt.set(parsed.data.prompt, parsed.data);
  });
  return { size: byPrompt.size, find: (prompt) => byPrompt.get(prompt) };
}

const books = new Map<string, RecordedBook>();

/** Reads (once per process) the rows of one or more `,`-separated JSONL files. */
export function loadRecordedRows(paths: string): RecordedBook {
  let book = books.get(paths);
  if (!book) {
    const parts = paths.split(',').filter(Boolean).map((path) => parseRecordedRows(readFileSync(path, 'utf8')));
    book = { size: parts.reduce((sum, part) => sum + part.size, 0), find: (prompt) => parts.map((part) => part.find(prompt)).find(Boolean) };
    books.set(paths, book);
  }
  return book;
}
