/** Where the progress goes: a terminal gets one bar redrawn in place, anything else a few lines. */
export interface LoadProgressOutput {
  isTTY: boolean;
  /** Raw text, no newline added (the bar rewrites its own line with `\r`). */
  write(text: string): void;
}

export interface LoadProgress {
  /** A `model.loading` event: `fraction` in [0, 1]. */
  update(model: string, fraction: number): void;
  /** Ends an unfinished bar's line (before other output). */
  finish(): void;
}

const WIDTH = 24;
/** Marks a non-TTY prints: start, halfway, done — not one line per percent. */
const MARKS = [0, 0.5, 1] as const;

/**
 * Model-loading progress as one updating bar on a terminal and at most three lines elsewhere
 * (a 1.2 MB model used to print about 50 "loading 11%…" lines).
 */
export function createLoadProgress(output: LoadProgressOutput): LoadProgress {
  const printedMarks = new Map<string, number>();
  let open: string | undefined;
  const finish = () => {
    if (open !== undefined) output.write('\n');
    open = undefined;
  };
  return {
    update(model, fraction) {
      const clamped = Math.min(1, Math.max(0, fraction));
      const percent = `${Math.round(clamped * 100)}%`.padStart(4);
      if (output.isTTY) {
        if (open !== undefined && open !== model) finish();
        const filled = Math.round(clamped * WIDTH);
        output.write(`\r  loading ${model} [${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}] ${percent}`);
        open = model;
        if (clamped >= 1) finish();
        return;
      }
      const next = printedMarks.get(model) ?? 0;
      const mark = MARKS[next];
      if (mark === undefined || clamped < mark) return;
      // Skip the marks a big jump passed, so a load that reports only 100% prints one line.
      let reached = next;
      while (reached < MARKS.length && clamped >= MARKS[reached]!) reached += 1;
      printedMarks.set(model, reached);
      output.write(clamped >= 1 ? `  loaded ${model}\n` : `  loading ${model} ${percent.trim()}\n`);
    },
    finish,
  };
}
