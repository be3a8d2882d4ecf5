import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ReconcileInputError } from './input-error.js';
import { parseLineItem } from './parse-openai.js';
import { parseExport } from './read-export.js';
import type { ExportRecord } from './types.js';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
const parse = (name: string, format?: Parameters<typeof parseExport>[0]['format']) => parseExport({ text: fixture(name), file: name, format });
const day0 = Date.UTC(2026, 10, 1);
const day = 86_400_000;

/** The error message parseExport throws for `text`. */
function errorOf(text: string, file = 'export.json', format?: Parameters<typeof parseExport>[0]['format']): string {
  try {
    parseExport({ text, file, format });
  } catch (error) {
    expect(error).toBeInstanceOf(ReconcileInputError);
    return (error as Error).message;
  }
  throw new Error('expected parseExport to throw');
}

const pick = (records: ExportRecord[], fields: (keyof ExportRecord)[]) => records.map((record) => Object.fromEntries(fields.map((field) => [field, record[field]])));

describe('OpenAI costs', () => {
  it('reads line items as model x billing kind, amounts in USD, days in UTC', () => {
    const parsed = parse('openai-costs.json');
    expect(parsed).toMatchObject({ family: 'openai', formats: ['openai-costs'], since: day0, until: day0 + 3 * day, notes: [] });
    expect(pick(parsed.records, ['day', 'model', 'usdKind', 'usd'])).toEqual([
      { day: '2026-11-01', model: 'gpt-4o-2024-08-06', usdKind: 'input', usd: 3 },
      { day: '2026-11-01', model: 'gpt-4o-2024-08-06', usdKind: 'cacheRead', usd: 0.5 },
      { day: '2026-11-01', model: 'gpt-4o-2024-08-06', usdKind: 'output', usd: 3 },
      { day: '2026-11-01', model: 'gpt-4o-mini-2024-07-18', usdKind: 'input', usd: 0.3 },
      { day: '2026-11-01', model: 'gpt-4o-mini-2024-07-18', usdKind: 'output', usd: 0.3 },
      { day: '2026-11-02', model: 'gpt-4o-2024-08-06', usdKind: 'input', usd: 2.5 },
      { day: '2026-11-02', model: 'gpt-4o-2024-08-06', usdKind: 'output', usd: 2 },
    ]);
    expect(parsed.records.every((record) => record.tokens === null && record.apiKeyId === null)).toBe(true);
  });

  it('reads an array of pages; without group_by=line_item the day total has no model', () => {
    const parsed = parse('openai-costs-pages.json');
    expect(pick(parsed.records, ['day', 'model', 'usdKind', 'usd', 'unmetered'])).toEqual([
      { day: '2026-11-01', model: null, usdKind: null, usd: 7.1, unmetered: null },
      { day: '2026-11-02', model: null, usdKind: null, usd: 4.5, unmetered: null },
    ]);
    expect(parsed.notes).toEqual([]);
  });

  it('splits line items at the last ", " and keeps non-model items apart', () => {
    expect(parseLineItem('gpt-4o-2024-08-06, cached input')).toEqual({ model: 'gpt-4o-2024-08-06', kind: 'cacheRead' });
    expect(parseLineItem('ft:gpt-4o-mini-2024-07-18:acme::abc123, output')).toEqual({ model: 'ft:gpt-4o-mini-2024-07-18:acme::abc123', kind: 'output' });
    expect(parseLineItem('gpt-4o-audio-preview, audio input')).toEqual({ model: 'gpt-4o-audio-preview', kind: 'input' });
    expect(parseLineItem('web search tool calls')).toBeNull();
    expect(parseLineItem('file search, storage')).toBeNull();
    const text = JSON.stringify({ object: 'page', data: [{ start_time: 1793491200, end_time: 1793577600, results: [{ object: 'organization.costs.result', amount: { value: '0.25', currency: 'usd' }, line_item: 'web search tool calls', project_id: null }] }], has_more: false });
    expect(pick(parseExport({ text, file: 'x.json' }).records, ['model', 'usd', 'unmetered'])).toEqual([{ model: null, usd: 0.25, unmetered: 'web search tool calls' }]);
  });

  it('refuses a currency other than USD, naming the field', () => {
    const text = fixture('openai-costs.json').replace('"value": 0.5, "currency": "usd"', '"value": 0.5, "currency": "eur"');
    expect(errorOf(text, 'costs.json')).toBe('costs.json: data[0].results[1].amount.currency: only USD exports can be compared with the ledger (found "eur")');
  });
});

describe('OpenAI completions usage', () => {
  it('reads tokens with cached input taken out of input_tokens, per model and API key', () => {
    const parsed = parse('openai-usage-completions.json');
    expect(parsed).toMatchObject({ family: 'openai', formats: ['openai-usage'], since: day0, until: day0 + 3 * day });
    expect(pick(parsed.records, ['day', 'model', 'apiKeyId', 'tokens', 'requests'])).toEqual([
      { day: '2026-11-01', model: 'gpt-4o-2024-08-06', apiKeyId: 'key_A1b2C3d4E5f6G7h8', tokens: { input: 700_000, cacheRead: 300_000, cacheWrite5m: 0, cacheWrite1h: 0, output: 200_000 }, requests: 800 },
      { day: '2026-11-01', model: 'gpt-4o-2024-08-06', apiKeyId: 'key_Z9y8X7w6V5u4T3s2', tokens: { input: 500_000, cacheRead: 100_000, cacheWrite5m: 0, cacheWrite1h: 0, output: 100_000 }, requests: 400 },
      { day: '2026-11-01', model: 'gpt-4o-mini-2024-07-18', apiKeyId: 'key_A1b2C3d4E5f6G7h8', tokens: { input: 2_000_000, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, output: 500_000 }, requests: 3_000 },
      { day: '2026-11-02', model: 'gpt-4o-2024-08-06', apiKeyId: 'key_A1b2C3d4E5f6G7h8', tokens: { input: 1_000_000, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, output: 200_000 }, requests: 700 },
    ]);
  });

  it('reads JSON lines (one page per line) exactly like the single page', () => {
    const lines = parse('openai-usage-completions.jsonl');
    const single = parse('openai-usage-completions.json');
    expect(lines.records).toEqual(single.records);
    expect([lines.since, lines.until]).toEqual([single.since, single.until]);
    expect(lines.notes).toEqual([]);
  });

  it('warns when the pages are incomplete (every page says has_more)', () => {
    const firstLine = fixture('openai-usage-completions.jsonl').split('\n')[0] ?? '';
    expect(parseExport({ text: firstLine, file: 'part.json' }).notes).toEqual([
      'part.json: every page says has_more: true — the export is incomplete; fetch the remaining pages (next_page) and add them to the file',
    ]);
  });

  it('marks Batch API rows', () => {
    const text = fixture('openai-usage-completions.json').replace('"model": "gpt-4o-mini-2024-07-18", "batch": null', '"model": "gpt-4o-mini-2024-07-18", "batch": true');
    expect(parseExport({ text, file: 'x.json' }).records.map((record) => record.serviceTier)).toEqual([null, null, 'batch', null]);
  });
});

describe('Anthropic reports', () => {
  it('reads the messages usage report with its disjoint token kinds', () => {
    const parsed = parse('anthropic-usage-report.json');
    expect(parsed).toMatchObject({ family: 'anthropic', formats: ['anthropic-usage'], since: day0, until: day0 + 2 * day });
    expect(pick(parsed.records, ['day', 'model', 'apiKeyId', 'tokens', 'serviceTier', 'contextWindow'])).toEqual([
      { day: '2026-11-01', model: 'claude-sonnet-4-5-20250929', apiKeyId: 'apikey_01Rj2N8SVvo6BePZj99NhmiT', tokens: { input: 500_000, cacheRead: 1_000_000, cacheWrite5m: 100_000, cacheWrite1h: 0, output: 80_000 }, serviceTier: 'standard', contextWindow: '0-200k' },
      { day: '2026-11-01', model: 'claude-haiku-4-5-20251001', apiKeyId: 'apikey_01PmQ3fGh7KdWcX2nVbT8sLe', tokens: { input: 300_000, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, output: 40_000 }, serviceTier: 'standard', contextWindow: '0-200k' },
      { day: '2026-11-02', model: 'claude-sonnet-4-5-20250929', apiKeyId: 'apikey_01Rj2N8SVvo6BePZj99NhmiT', tokens: { input: 200_000, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, output: 30_000 }, serviceTier: 'standard', contextWindow: '0-200k' },
    ]);
  });

  it('reads the cost report: amounts are cents as decimal strings; web search is not model tokens', () => {
    const parsed = parse('anthropic-cost-report.json');
    expect(parsed.formats).toEqual(['anthropic-cost']);
    const records = pick(parsed.records, ['day', 'model', 'usdKind', 'usd', 'unmetered']);
    expect(records).toEqual([
      { day: '2026-11-01', model: 'claude-sonnet-4-5-20250929', usdKind: 'input', usd: 1.5, unmetered: null },
      { day: '2026-11-01', model: 'claude-sonnet-4-5-20250929', usdKind: 'cacheWrite', usd: 0.375, unmetered: null },
      { day: '2026-11-01', model: 'claude-sonnet-4-5-20250929', usdKind: 'cacheRead', usd: 0.3, unmetered: null },
      { day: '2026-11-01', model: 'claude-sonnet-4-5-20250929', usdKind: 'output', usd: 1.2, unmetered: null },
      { day: '2026-11-01', model: 'claude-haiku-4-5-20251001', usdKind: 'input', usd: 0.3, unmetered: null },
      { day: '2026-11-01', model: 'claude-haiku-4-5-20251001', usdKind: 'output', usd: 0.2, unmetered: null },
      { day: '2026-11-01', model: null, usdKind: null, usd: 0.1, unmetered: 'Web Search' },
      { day: '2026-11-02', model: 'claude-sonnet-4-5-20250929', usdKind: 'input', usd: 0.6, unmetered: null },
      { day: '2026-11-02', model: 'claude-sonnet-4-5-20250929', usdKind: 'output', usd: 0.45, unmetered: null },
    ]);
  });

  it('names the file and JSON path of a malformed field', () => {
    expect(errorOf(fixture('anthropic-usage-malformed.json'), 'anthropic-usage-malformed.json')).toBe(
      'not a valid Anthropic usage report page (GET /v1/organizations/usage_report/messages):\n' +
        '  anthropic-usage-malformed.json: data[1].results[0].output_tokens: Invalid input: expected number, received string',
    );
  });

  it('names a bad bucket time', () => {
    const text = fixture('anthropic-usage-report.json').replace('"starting_at": "2026-11-02T00:00:00Z"', '"starting_at": "yesterday"');
    expect(errorOf(text, 'u.json')).toContain('u.json: data[1].starting_at: expected an RFC 3339 timestamp');
  });
});

describe('file shapes and format detection', () => {
  it('names the array element and the line of a JSON-lines file', () => {
    const costs = JSON.parse(fixture('openai-costs.json')) as { data: { results: { amount: { value: unknown } }[] }[] };
    const bad = structuredClone(costs);
    const result = bad.data[1]?.results[0];
    if (result) result.amount.value = null;
    expect(errorOf(JSON.stringify([costs, bad]), 'pages.json')).toContain('pages.json: [1].data[1].results[0].amount.value: ');
    const lines = `${JSON.stringify(costs)}\n\n${JSON.stringify(bad)}\n`;
    expect(errorOf(lines, 'pages.jsonl')).toContain('pages.jsonl line 3: data[1].results[0].amount.value: ');
    expect(errorOf(`${JSON.stringify(costs)}\n{"data": [}\n`, 'broken.jsonl')).toMatch(/^broken\.jsonl line 2: invalid JSON/);
  });

  it('names the line and column of a syntax error in a JSON file', () => {
    expect(errorOf('{\n  "data": [\n    {"start_time": 1,}\n  ]\n}', 'bad.json')).toMatch(/^bad\.json: invalid JSON at line 3 column 22: /);
  });

  it('refuses what is not an export, naming where it failed', () => {
    expect(errorOf('', 'empty.json')).toBe('empty.json: the file is empty');
    expect(errorOf('[]', 'a.json')).toBe('a.json: (root): expected an export page or a non-empty array of pages, got []');
    expect(errorOf('{"object": "list", "items": []}', 'x.json')).toMatch(/^x\.json: \(root\): expected an export page: OpenAI GET \/v1\/organization\/costs/);
    expect(errorOf('{"data": [{"day": "2026-11-01"}]}', 'x.json')).toBe('x.json: data[0]: expected a time bucket with start_time (OpenAI) or starting_at (Anthropic)');
    expect(errorOf('{"object": "page", "data": [{"start_time": 1, "end_time": 2, "results": [{"object": "organization.usage.embeddings.result", "input_tokens": 3}]}]}', 'e.json')).toBe(
      'e.json: data[0].results[0].object: "organization.usage.embeddings.result" is not supported (expected "organization.costs.result" or "organization.usage.completions.result")',
    );
    expect(errorOf('{"object": "page", "data": [{"start_time": 1, "end_time": 2, "results": []}]}', 'n.json')).toBe(
      'n.json: no results in any time bucket, so a cost export cannot be told from a usage export; pass --format',
    );
  });

  it('uses --format instead of detection, and then reports what does not fit it', () => {
    const empty = '{"object": "page", "data": [{"start_time": 1793491200, "end_time": 1793577600, "results": []}]}';
    expect(parseExport({ text: empty, file: 'n.json', format: 'openai-costs' })).toMatchObject({ formats: ['openai-costs'], records: [], since: day0 });
    expect(errorOf(fixture('openai-costs.json'), 'c.json', 'anthropic-cost')).toContain('c.json: data[0].starting_at: Invalid input: expected string, received undefined');
  });

  it('refuses a file mixing both providers', () => {
    const text = JSON.stringify([JSON.parse(fixture('openai-costs.json')), JSON.parse(fixture('anthropic-cost-report.json'))]);
    expect(errorOf(text, 'mixed.json')).toBe('mixed.json: [1]: mixes openai and anthropic pages; give one provider\'s export per file');
  });
});
