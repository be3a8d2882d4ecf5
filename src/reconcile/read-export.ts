/**
 * Text of an export file -> pages -> records. A file holds one page (the API response as saved), a JSON array of
 * pages, or JSON lines (one page per line). The format of each page is told from its shape unless given.
 */
import { familyOf, type ExportFamily, type ExportFormat, type ParsedExport } from './types.js';
import { placeOf, ReconcileInputError, type PagePlace } from './input-error.js';
import { parseAnthropicCostPage, parseAnthropicUsagePage } from './parse-anthropic.js';
import { parseOpenAiCostsPage, parseOpenAiUsagePage } from './parse-openai.js';
import type { PageContext, PageResult } from './page-result.js';

const parsers: Record<ExportFormat, (page: unknown, context: PageContext) => PageResult> = {
  'openai-costs': parseOpenAiCostsPage,
  'openai-usage': parseOpenAiUsagePage,
  'anthropic-usage': parseAnthropicUsagePage,
  'anthropic-cost': parseAnthropicCostPage,
};

interface Page {
  value: unknown;
  place: PagePlace;
}

/** "line 3 column 7" from Node's "... at position 42" (V8 JSON.parse messages), when it has one. */
function jsonErrorPlace(text: string, message: string): string {
  const position = /at position (\d+)/.exec(message);
  if (!position) return '';
  const before = text.slice(0, Number(position[1]));
  const lines = before.split('\n');
  return ` at line ${lines.length} column ${(lines.at(-1)?.length ?? 0) + 1}`;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/** Splits the file into pages; bad JSON names the line (and column when known). */
export function splitPages(text: string, file: string): Page[] {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') throw new ReconcileInputError(`${file}: the file is empty`);
  const whole = parseJson(body);
  if (whole.ok) {
    if (Array.isArray(whole.value)) {
      if (whole.value.length === 0) throw new ReconcileInputError(`${file}: (root): expected an export page or a non-empty array of pages, got []`);
      return whole.value.map((value: unknown, index) => ({ value, place: { kind: 'index', index } }));
    }
    return [{ value: whole.value, place: { kind: 'root' } }];
  }
  const lines = body.split('\n');
  const filled = lines.filter((line) => line.trim() !== '');
  // JSON lines only when the first line is a complete JSON value by itself; otherwise it is one broken document.
  const firstLine = filled[0] === undefined ? null : parseJson(filled[0]);
  if (filled.length <= 1 || firstLine === null || !firstLine.ok) {
    throw new ReconcileInputError(`${file}: invalid JSON${jsonErrorPlace(body, whole.message)}: ${whole.message}`);
  }
  const pages: Page[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const parsed = parseJson(line);
    if (!parsed.ok) throw new ReconcileInputError(`${file} line ${index + 1}: invalid JSON (JSON lines: one page per line): ${parsed.message}`);
    pages.push({ value: parsed.value, place: { kind: 'line', line: index + 1 } });
  });
  return pages;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const expected =
  'expected an export page: OpenAI GET /v1/organization/costs or /v1/organization/usage/completions ({ object: "page", data: [...] }), ' +
  'or Anthropic GET /v1/organizations/usage_report/messages or /v1/organizations/cost_report ({ data: [...] })';

/**
 * The format of one page from its shape: OpenAI buckets have unix-second `start_time`, Anthropic buckets RFC 3339
 * `starting_at`; cost results carry `amount`, usage results token counts. Null when the page has no results at all
 * (its format does not matter then, but the family does). Throws naming the path that fits no known format.
 */
export function detectPageFormat(value: unknown, file: string, place: PagePlace): { family: ExportFamily; format: ExportFormat | null } {
  const where = (path: PropertyKey[]) => placeOf(file, place, path);
  if (!isRecord(value) || !Array.isArray(value.data)) throw new ReconcileInputError(`${where([])}: ${expected}`);
  const data: unknown[] = value.data;
  let family: ExportFamily | null = null;
  for (const [index, bucket] of data.entries()) {
    if (!isRecord(bucket)) throw new ReconcileInputError(`${where(['data', index])}: expected a time bucket object`);
    const bucketFamily: ExportFamily | null = 'start_time' in bucket ? 'openai' : 'starting_at' in bucket ? 'anthropic' : null;
    if (bucketFamily === null) throw new ReconcileInputError(`${where(['data', index])}: expected a time bucket with start_time (OpenAI) or starting_at (Anthropic)`);
    family ??= bucketFamily;
    if (!Array.isArray(bucket.results)) throw new ReconcileInputError(`${where(['data', index, 'results'])}: expected an array of results`);
    const first: unknown = bucket.results[0];
    if (first === undefined) continue;
    if (!isRecord(first)) throw new ReconcileInputError(`${where(['data', index, 'results', 0])}: expected a result object`);
    if (family === 'openai') {
      if (first.object === 'organization.costs.result' || (first.object === undefined && 'amount' in first)) return { family, format: 'openai-costs' };
      if (first.object === 'organization.usage.completions.result' || (first.object === undefined && 'input_tokens' in first)) return { family, format: 'openai-usage' };
      throw new ReconcileInputError(
        `${where(['data', index, 'results', 0, 'object'])}: ${JSON.stringify(first.object ?? null)} is not supported ` +
          '(expected "organization.costs.result" or "organization.usage.completions.result")',
      );
    }
    if ('amount' in first) return { family, format: 'anthropic-cost' };
    if ('uncached_input_tokens' in first) return { family, format: 'anthropic-usage' };
    throw new ReconcileInputError(`${where(['data', index, 'results', 0])}: expected a cost result (amount) or a messages usage result (uncached_input_tokens)`);
  }
  if (family === null) throw new ReconcileInputError(`${where(['data'])}: the page has no time buckets, so its provider cannot be told; pass --format`);
  return { family, format: null };
}

/**
 * Parses one export file. `format` forces every page's format (no detection). Pages of one file may be of
 * different formats of the same provider (e.g. usage pages followed by cost pages).
 */
export function parseExport(options: { text: string; file: string; format?: ExportFormat }): ParsedExport {
  const { file } = options;
  const pages = splitPages(options.text, file);
  const detected = pages.map((page) => {
    if (options.format !== undefined) return { family: familyOf(options.format), format: options.format };
    return detectPageFormat(page.value, file, page.place);
  });
  const family = detected[0]?.family ?? 'openai';
  detected.forEach((d, index) => {
    const page = pages[index];
    if (d.family !== family && page) throw new ReconcileInputError(`${placeOf(file, page.place, [])}: mixes ${family} and ${d.family} pages; give one provider's export per file`);
  });
  const known = detected.map((d) => d.format).filter((format): format is ExportFormat => format !== null);
  if (known.length === 0) {
    throw new ReconcileInputError(`${file}: no results in any time bucket, so a cost export cannot be told from a usage export; pass --format`);
  }
  const fallback = known[0] as ExportFormat;
  const results = pages.map((page, index) => parsers[detected[index]?.format ?? fallback](page.value, { file, place: page.place }));
  const starts = results.map((r) => r.since).filter((v): v is number => v !== null);
  const ends = results.map((r) => r.until).filter((v): v is number => v !== null);
  if (starts.length === 0 || ends.length === 0) throw new ReconcileInputError(`${file}: the export has no time buckets`);
  const notes: string[] = [];
  const flags = results.map((r) => r.hasMore);
  if (flags.some((flag) => flag === true) && !flags.some((flag) => flag === false)) {
    notes.push(`${file}: every page says has_more: true — the export is incomplete; fetch the remaining pages (next_page) and add them to the file`);
  }
  return {
    file,
    formats: [...new Set(known)],
    family,
    records: results.flatMap((r) => r.records),
    since: Math.min(...starts),
    until: Math.max(...ends),
    notes,
  };
}
