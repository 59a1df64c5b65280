/** Column alignment: numbers read best right-aligned. */
export type Align = 'left' | 'right';

/** Visible width of a cell: code points, so "→" and "✓" count as one column. */
const widthOf = (text: string) => [...text].length;

/**
 * Lays rows out as a plain-text table: a header, a rule, then one line per row, columns two spaces
 * apart, every column as wide as its widest cell. No colour codes, so it pipes and greps cleanly.
 *
 * @example
 * formatTable(['service', 'requests'], [['troupe-judge', '12']], ['left', 'right']).forEach((line) => console.log(line));
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string[] {
  const widths = header.map((title, column) => Math.max(widthOf(title), ...rows.map((row) => widthOf(row[column] ?? ''))));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => {
        const padding = ' '.repeat(Math.max(0, widths[column]! - widthOf(cell)));
        return align[column] === 'right' ? padding + cell : cell + padding;
      })
      .join('  ')
      .trimEnd();
  return [
    line(header),
    widths.map((width) => '─'.repeat(width)).join('  '),
    ...rows.map((row) => line(header.map((_, column) => row[column] ?? ''))),
  ];
}

/** Dollars with enough digits for the fractions of a cent local models cost. */
export function formatUsd(value: number | undefined): string {
  if (value === undefined) return '–';
  if (value === 0) return '$0';
  return Math.abs(value) < 0.01 ? `$${value.toFixed(6)}` : `$${value.toFixed(4)}`;
}

/** Milliseconds as "840 ms" or "12.3 s". */
export function formatMs(value: number | undefined): string {
  if (value === undefined) return '–';
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
}
