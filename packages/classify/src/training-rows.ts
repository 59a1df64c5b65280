import { z } from 'zod';
import { ErrorCode, TroupeError } from '@troupe/protocol';

/** One labelled example, the `{"text","label"}` row format of `troupe classifier train`. */
export const TrainingRow = z.object({ text: z.string(), label: z.string() });
export type TrainingRow = z.infer<typeof TrainingRow>;

/**
 * Parses JSON Lines into training rows and checks they can train a classifier: every text and
 * label non-empty, at least two labels. Fails with BAD_REQUEST naming the first bad line.
 */
export function parseTrainingRows(jsonl: string, source = 'rows'): TrainingRow[] {
  const rows: TrainingRow[] = [];
  jsonl.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new TroupeError(ErrorCode.BAD_REQUEST, `${source}:${index + 1} is not JSON`);
    }
    const parsed = TrainingRow.safeParse(value);
    if (!parsed.success) throw new TroupeError(ErrorCode.BAD_REQUEST, `${source}:${index + 1} must be {"text": string, "label": string}`);
    rows.push(parsed.data);
  });
  checkTrainingRows(rows, source);
  return rows;
}

/** The checks of `parseTrainingRows`, for rows built in code. */
export function checkTrainingRows(rows: readonly TrainingRow[], source = 'rows'): void {
  if (rows.length === 0) throw new TroupeError(ErrorCode.BAD_REQUEST, `${source} has no training rows`);
  rows.forEach((row, index) => {
    if (row.text.trim() === '') throw new TroupeError(ErrorCode.BAD_REQUEST, `${source} row ${index + 1} has an empty text`);
    if (row.label.trim() === '') throw new TroupeError(ErrorCode.BAD_REQUEST, `${source} row ${index + 1} has an empty label`);
  });
  const labels = new Set(rows.map((row) => row.label));
  if (labels.size < 2) {
    throw new TroupeError(ErrorCode.BAD_REQUEST, `${source} has only one label ("${[...labels][0]}"); a classifier needs at least two`);
  }
}
