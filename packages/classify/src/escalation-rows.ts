import type { TaskRecord } from '@troupe/store-contract';
import { classifierText } from './classifier-input.js';
import type { TrainingRow } from './training-rows.js';

export interface EscalationRowOptions {
  /** Registry ids of the classifier models whose escalations are wanted. */
  classifierModels: readonly string[];
  /** Output field that holds the label (default `label`). */
  outputField?: string;
  /** Dot path of the text in the task input (default: its first string). */
  textField?: string;
}

/**
 * Distillation in the small: for every node where a classifier's answer failed its gate and a
 * later cascade step's answer was then passed by the judge, the ticket text with the label that
 * passed. Appended to the training rows, the next `troupe classifier train` learns from them.
 * Nothing is written anywhere automatically: `troupe classifier export` prints or saves them.
 */
export function escalationRows(records: readonly TaskRecord[], options: EscalationRowOptions): TrainingRow[] {
  const classifiers = new Set(options.classifierModels);
  const field = options.outputField ?? 'label';
  const rows: TrainingRow[] = [];
  const seen = new Set<string>();
  for (const record of records) {
    for (const node of Object.values(record.nodes)) {
      const calls = node.calls ?? [];
      const classifierFailed = calls.some((call) => classifiers.has(call.model) && call.role === 'answer' && call.decision !== undefined && call.decision !== 'pass');
      if (!classifierFailed || node.status !== 'succeeded' || node.verdict?.decision !== 'pass' || !node.result) continue;
      if (classifiers.has(node.result.model)) continue;
      const label = (node.result.output as Record<string, unknown> | undefined)?.[field];
      if (typeof label !== 'string' || label.trim() === '') continue;
      let text: string;
      try {
        text = classifierText(JSON.stringify({ task: record.task.input }), options.textField);
      } catch {
        continue;
      }
      const key = `${text}\u0000${label}`;
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push({ text, label });
    }
  }
  return rows;
}
