/** Plain-text table for terminal output: right-aligns numbers, left-aligns text. */
export function formatTable(headers: string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cells = rows.map((row) => row.map((cell) => String(cell)));
  const widths = headers.map((header, column) => Math.max(header.length, ...cells.map((row) => (row[column] ?? '').length)));
  const numeric = headers.map((_, column) => rows.length > 0 && rows.every((row) => typeof row[column] === 'number' || /^([$\d.,%-]+|unpriced)$/.test(String(row[column] ?? ''))));
  const line = (row: string[]) => row.map((cell, column) => (numeric[column] ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0))).join('  ').trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n');
}

export const usd = (value: number): string => {
  if (value < 0) return `-${usd(-value)}`;
  return value === 0 ? '$0' : value < 0.01 ? `$${value.toFixed(6)}` : `$${value.toFixed(4)}`;
};
export const count = (value: number): string => value.toLocaleString('en-US');
