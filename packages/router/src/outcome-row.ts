import { ErrorCode, TroupeError } from '@troupe/protocol';

/** One model's recorded result on one prompt. */
export interface ModelOutcome {
  /** In [0, 1]: binary correctness or a normalised judge score. */
  score: number;
  costUsd: number;
}

/**
 * A prompt with recorded outcomes for some models: the routing-data row format
 * (`{"prompt", "models": {name: {score, cost_usd}}, "task"?, "source"?, "responses"?}`).
 */
export interface OutcomeRow {
  id?: string | undefined;
  prompt: string;
  task?: string | undefined;
  source?: string | undefined;
  outcomes: Record<string, ModelOutcome>;
  /** Raw answer text per model, where recorded; cascades compare cheap answers with it. */
  responses?: Record<string, string> | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string, where: string): TroupeError {
  return new TroupeError(ErrorCode.BAD_REQUEST, `${where}: ${message}`);
}

/**
 * Validates one decoded row. Model entries without a numeric score and cost (e.g. `{}`) are
 * dropped rather than rejected, so partially graded rows still load; a score outside [0, 1] is an error.
 */
export function parseOutcomeRow(value: unknown, where = 'row'): OutcomeRow {
  if (!isRecord(value)) throw invalid('expected a JSON object', where);
  const { prompt, models, id, task, source, responses } = value;
  if (typeof prompt !== 'string') throw invalid('"prompt" must be a string', where);
  if (!isRecord(models)) throw invalid('"models" must be an object of {score, cost_usd}', where);
  const outcomes: Record<string, ModelOutcome> = {};
  for (const [name, entry] of Object.entries(models)) {
    if (!isRecord(entry)) continue;
    const { score, cost_usd: costUsd } = entry;
    if (typeof score !== 'number' || typeof costUsd !== 'number' || !Number.isFinite(score) || !Number.isFinite(costUsd)) continue;
    if (score < 0 || score > 1) throw invalid(`score of "${name}" is ${score}, outside [0, 1]`, where);
    if (costUsd < 0) throw invalid(`cost_usd of "${name}" is negative`, where);
    outcomes[name] = { score, costUsd };
  }
  const row: OutcomeRow = { prompt, outcomes };
  if (typeof id === 'string' || typeof id === 'number') row.id = String(id);
  if (typeof task === 'string' && task.length > 0) row.task = task;
  if (typeof source === 'string' && source.length > 0) row.source = source;
  if (isRecord(responses)) {
    const texts: Record<string, string> = {};
    for (const [name, text] of Object.entries(responses)) if (typeof text === 'string') texts[name] = text;
    row.responses = texts;
  }
  return row;
}

/** Parses JSON Lines of outcome rows; blank lines are skipped, errors name the line. */
export function parseOutcomeJsonl(text: string): OutcomeRow[] {
  const rows: OutcomeRow[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]?.trim() ?? '';
    if (line.length === 0) continue;
    let decoded: unknown;
    try {
      decoded = JSON.parse(line);
    } catch (cause) {
      throw new TroupeError(ErrorCode.BAD_REQUEST, `line ${index + 1}: not valid JSON`, { cause });
    }
    rows.push(parseOutcomeRow(decoded, `line ${index + 1}`));
  }
  return rows;
}
