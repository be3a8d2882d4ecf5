/** The reconcile report for people (plain text) and for machines (JSON). */
import { formatDrift, formatTokens, formatUsd } from './format-numbers.js';
import { utcDay } from './page-result.js';
import type { ReconcileCell, ReconcileReport } from './types.js';

/** Plain-text table: numbers right-aligned, text left-aligned, two spaces between columns. */
function table(headers: string[], rows: string[][], numeric: boolean[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) => row.map((cell, column) => (numeric[column] ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0))).join('  ').trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

const amount = (report: ReconcileReport, value: number): string => (report.measure === 'usd' ? formatUsd(value) : formatTokens(value));

const tokenSum = (t: { input: number; cacheRead: number; cacheWrite: number; output: number }): number => t.input + t.cacheRead + t.cacheWrite + t.output;

const hasExportTokens = (report: ReconcileReport): boolean => report.cells.some((cell) => cell.export.tokens !== null);

/**
 * The other unit, for reference: in a token comparison the dollars (catalog price of the export tokens, "+" when
 * some had no price; the ledger's cost, "+" when some rows are unpriced); in a dollar comparison the tokens (the
 * export's only when a usage export was given too).
 */
function reference(report: ReconcileReport, cell: ReconcileCell): string[] {
  if (report.measure === 'tokens') {
    const exported = cell.export.catalogUsd === null ? 'unpriced' : `${formatUsd(cell.export.catalogUsd)}${cell.export.catalogUnpricedTokens > 0 ? '+' : ''}`;
    return [exported, `${formatUsd(cell.ledger.usd)}${cell.ledger.unpricedRows > 0 ? '+' : ''}`];
  }
  const ledgerTokens = formatTokens(tokenSum(cell.ledger.tokens));
  if (!hasExportTokens(report)) return [ledgerTokens];
  return [cell.export.tokens === null ? '' : formatTokens(tokenSum(cell.export.tokens)), ledgerTokens];
}

function cellTable(report: ReconcileReport): string {
  const unit = report.measure === 'usd' ? '$' : 'tokens';
  const refHeaders = report.measure === 'tokens' ? ['export $ (catalog)', 'ledger $'] : hasExportTokens(report) ? ['export tokens', 'ledger tokens'] : ['ledger tokens'];
  const lead = ['day', 'model', ...(report.keyMapped ? ['provider (key map)'] : [])];
  const headers = [...lead, `export ${unit}`, `ledger ${unit}`, 'drift', ...refHeaders, 'status'];
  const rows = report.cells.map((cell) => {
    const status = cell.ok ? (cell.findings.length > 0 ? 'ok*' : 'ok') : `DRIFT: ${cell.findings[0]?.cause ?? '?'}`;
    return [cell.day, cell.model, ...(report.keyMapped ? [cell.key] : []), amount(report, cell.exportAmount), amount(report, cell.ledgerAmount), formatDrift(cell.drift), ...reference(report, cell), status];
  });
  const total = ['total', '', ...(report.keyMapped ? [''] : []), amount(report, report.total.exportAmount), amount(report, report.total.ledgerAmount), formatDrift(report.total.drift), ...refHeaders.map(() => ''), report.total.ok ? 'ok' : 'DRIFT'];
  const numeric = headers.map((_, column) => column >= lead.length && column < headers.length - 1);
  return table(headers, [...rows, total], numeric);
}

function causes(report: ReconcileReport): string[] {
  const lines: string[] = [];
  for (const cell of report.cells) {
    if (cell.findings.length === 0) continue;
    const where = `${cell.day}  ${cell.model}${report.keyMapped ? `  ${cell.key}` : ''}`;
    lines.push(`  ${where}  ${formatDrift(cell.drift)}${cell.ok ? ` (within ${report.maxDriftPct}%)` : ''}`);
    cell.findings.forEach((finding, index) => lines.push(`    ${cell.ok ? '-' : `${index + 1}.`} ${finding.cause}: ${finding.detail}`));
  }
  return lines;
}

export function renderReport(report: ReconcileReport, options: { providers?: readonly string[] } = {}): string {
  const out: string[] = [];
  const providers = options.providers ?? [...new Set(report.cells.flatMap((cell) => cell.ledger.providers))].sort();
  out.push(`Reconciling ${report.family} export (${report.formats.join(', ')}): ${report.files.join(', ')}`);
  out.push(`Range: ${utcDay(report.since)} .. ${utcDay(report.until - 1)} (UTC days)   ledger providers: ${providers.join(', ') || 'none'}   max drift: ${report.maxDriftPct}%`);
  out.push(`Measure: ${report.measure === 'usd' ? 'USD' : 'tokens'}; drift = (ledger - export) / export`);
  out.push('');
  out.push(report.cells.length === 0 ? 'Nothing to compare: neither the export nor the ledger has traffic in this range.' : cellTable(report));
  const why = causes(report);
  if (why.length > 0) out.push('', 'Causes (most likely first; "ok*" cells carry notes)', ...why);
  if (report.mergedModels.length > 0) {
    out.push('', 'Model ids merged (snapshot dates removed on both sides)');
    for (const merged of report.mergedModels) {
      out.push(`  ${merged.model} <- export: ${merged.exportIds.join(', ') || '-'}; ledger: ${merged.ledgerIds.join(', ') || '-'}`);
    }
  }
  const keys = Object.entries(report.exportByKey).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (keys.length > 0) {
    const sum = keys.reduce((total, [, value]) => total + value, 0);
    out.push('', 'Export by provider API key (information; compare per key with --key-map <apiKeyId>=<provider>)');
    for (const [id, value] of keys) out.push(`  ${id}  ${amount(report, value)}${sum > 0 ? ` (${((value / sum) * 100).toFixed(1)}%)` : ''}`);
  }
  if (report.unmetered.length > 0) {
    out.push('', 'Spend Jevons does not meter (not model tokens; left out of the drift)');
    for (const item of report.unmetered) out.push(`  ${item.day}  ${item.description}  ${formatUsd(item.usd)}`);
  }
  if (report.notes.length > 0) out.push('', 'Notes', ...report.notes.map((note) => `  - ${note}`));
  const failing = report.cells.filter((cell) => !cell.ok).length;
  out.push(
    '',
    report.ok
      ? `OK: every cell and the total are within ${report.maxDriftPct}% (total ${formatDrift(report.total.drift)}).`
      : `DRIFT: ${failing} of ${report.cells.length} cell(s)${report.total.ok ? '' : ' and the total'} past ${report.maxDriftPct}% (total ${formatDrift(report.total.drift)}).`,
  );
  return out.join('\n');
}

/** The report as plain JSON (times as ISO strings; a null drift means the export had nothing there). */
export function reportJson(report: ReconcileReport): Record<string, unknown> {
  return { ...report, since: new Date(report.since).toISOString(), until: new Date(report.until).toISOString() };
}
