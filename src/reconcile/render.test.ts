import { describe, expect, it } from 'vitest';
import { createPriceCatalog } from '../pricing/index.js';
import { fixtureExport, openAiFixtureLedger, pricedCell } from './__fixtures__/builders.js';
import { reconcile } from './compare.js';
import { formatDrift, formatUsd } from './format-numbers.js';
import { renderReport, reportJson } from './render.js';

const catalog = createPriceCatalog({});

describe('renderReport', () => {
  it('shows unmetered spend, per-key sub-totals and an OK verdict', () => {
    const ledger = openAiFixtureLedger();
    const text = renderReport(reconcile({ exports: [fixtureExport('openai-usage-completions.json')], ledger, maxDriftPct: 1, catalog }));
    const lines = text.split('\n');
    expect(lines[4]?.split(/\s{2,}/)).toEqual(['day', 'model', 'export tokens', 'ledger tokens', 'drift', 'export $ (catalog)', 'ledger $', 'status']);
    expect(lines.find((line) => line.startsWith('2026-11-01  gpt-4o '))?.split(/\s{2,}/)).toEqual(['2026-11-01', 'gpt-4o', '1,900,000', '1,900,000', '0.00%', '$6.50', '$6.50', 'ok']);
    expect(text).toContain('Export by provider API key (information; compare per key with --key-map <apiKeyId>=<provider>)\n  key_A1b2C3d4E5f6G7h8  4,900,000 (87.5%)\n  key_Z9y8X7w6V5u4T3s2  700,000 (12.5%)');
    expect(lines.at(-1)).toBe('OK: every cell and the total are within 1% (total 0.00%).');
  });

  it('lists spend that is not model tokens apart, and an empty comparison plainly', () => {
    const sonnet = { model: 'claude-sonnet-4-5-20250929', provider: 'anthropic', prices: { input: 3, cacheRead: 0.3, cacheWrite5m: 3.75, output: 15 } };
    const ledger = [pricedCell({ ...sonnet, day: '2026-11-02', tokens: { input: 200_000, output: 30_000 } })];
    const text = renderReport(reconcile({ exports: [fixtureExport('anthropic-cost-report.json')], ledger, maxDriftPct: 1, catalog }));
    expect(text).toContain('Spend Jevons does not meter (not model tokens; left out of the drift)\n  2026-11-01  Web Search  $0.10');
    expect(text).toContain('    1. bypassed: the export has $0.50 of spend the ledger lacks (the ledger has no traffic here)');
    expect(text.split('\n').at(-1)).toBe('DRIFT: 2 of 3 cell(s) and the total past 1% (total -78.68%).');
    const none = reconcile({ exports: [{ file: 'e.json', formats: ['openai-costs'], family: 'openai', records: [], since: Date.UTC(2026, 10, 1), until: Date.UTC(2026, 10, 2), notes: [] }], ledger: [], maxDriftPct: 1, catalog });
    expect(renderReport(none)).toContain('Nothing to compare: neither the export nor the ledger has traffic in this range.');
    expect(none.ok).toBe(true);
  });

  it('writes JSON with ISO times and null for an unbounded drift', () => {
    const ledger = [...openAiFixtureLedger(), pricedCell({ day: '2026-11-03', model: 'o3', tokens: { input: 1 }, prices: { input: 2, output: 8 } })];
    const json = reportJson(reconcile({ exports: [fixtureExport('openai-costs.json')], ledger, maxDriftPct: 1, catalog }));
    const parsed = JSON.parse(JSON.stringify(json)) as { since: string; until: string; cells: { model: string; drift: number | null }[] };
    expect([parsed.since, parsed.until]).toEqual(['2026-11-01T00:00:00.000Z', '2026-11-04T00:00:00.000Z']);
    expect(parsed.cells.find((cell) => cell.model === 'o3')?.drift).toBeNull();
  });
});

describe('number formats', () => {
  it('formats dollars and drifts', () => {
    expect([formatUsd(0), formatUsd(0.000123), formatUsd(1234.5), formatUsd(-2.25)]).toEqual(['$0', '$0.000123', '$1,234.50', '-$2.25']);
    expect([formatDrift(null), formatDrift(0.0123), formatDrift(-1), formatDrift(-0.00001), formatDrift(25)]).toEqual(['n/a', '+1.23%', '-100.00%', '0.00%', '+2500%']);
  });
});
