import { describe, expect, it } from 'vitest';
import { createPriceCatalog } from '../pricing/index.js';
import { fixtureExport, fixtureText, ledgerCell, openAiFixtureLedger, pricedCell } from './__fixtures__/builders.js';
import { comparisonRange, reconcile, UNMAPPED_KEYS, type ReconcileOptions } from './compare.js';
import { ReconcileInputError } from './input-error.js';
import { parseExport } from './read-export.js';
import type { LedgerCellInput, ReconcileCell, ReconcileReport } from './types.js';

const catalog = createPriceCatalog({});
const run = (options: Omit<ReconcileOptions, 'catalog' | 'maxDriftPct'> & { maxDriftPct?: number }): ReconcileReport => reconcile({ maxDriftPct: 1, catalog, ...options });
const cellOf = (report: ReconcileReport, day: string, model: string, key = '*'): ReconcileCell => {
  const cell = report.cells.find((c) => c.day === day && c.model === model && c.key === key);
  if (cell === undefined) throw new Error(`no cell ${day} ${model} ${key}: ${report.cells.map((c) => `${c.day} ${c.model} ${c.key}`).join('; ')}`);
  return cell;
};
const causes = (cell: ReconcileCell) => cell.findings.map((finding) => finding.cause);

describe('reconcile: cost exports', () => {
  it('matches a ledger that agrees, merging snapshot ids, and says which ids were merged', () => {
    const report = run({ exports: [fixtureExport('openai-costs.json')], ledger: [...openAiFixtureLedger(), ledgerCell({ day: '2026-11-02', servedModel: 'gpt-4o', requestedModel: 'gpt-4o', rows: 2 })] });
    expect(report).toMatchObject({ measure: 'usd', family: 'openai', granularity: 'model', ok: true, keyMapped: false });
    expect(report.cells.map((c) => [c.day, c.model, c.ok, c.findings.length])).toEqual([
      ['2026-11-01', 'gpt-4o', true, 0],
      ['2026-11-01', 'gpt-4o-mini', true, 0],
      ['2026-11-02', 'gpt-4o', true, 0],
    ]);
    expect(report.total.exportAmount).toBeCloseTo(11.6, 9);
    expect(report.total.ledgerAmount).toBeCloseTo(11.6, 9);
    expect(report.total.drift).toBeCloseTo(0, 9);
    expect(report.mergedModels).toEqual([
      { model: 'gpt-4o', exportIds: ['gpt-4o-2024-08-06'], ledgerIds: ['gpt-4o-2024-08-06'] },
      { model: 'gpt-4o-mini', exportIds: ['gpt-4o-mini-2024-07-18'], ledgerIds: ['gpt-4o-mini-2024-07-18'] },
    ]);
  });

  it('bypassed: spend the ledger lacks in every kind comes first, with the dollars and approximate tokens', () => {
    const ledger = openAiFixtureLedger().filter((cell) => !(cell.day === '2026-11-02'));
    ledger.push(pricedCell({ day: '2026-11-02', model: 'gpt-4o-2024-08-06', tokens: { input: 500_000, output: 100_000 }, prices: { input: 2.5, output: 10 } }));
    const report = run({ exports: [fixtureExport('openai-costs.json')], ledger });
    const cell = cellOf(report, '2026-11-02', 'gpt-4o');
    expect(cell.ok).toBe(false);
    expect(cell.drift).toBeCloseTo(-0.5, 9);
    expect(causes(cell)).toEqual(['bypassed', 'price']);
    expect(cell.findings[0]?.numbers).toMatchObject({ missingUsd: 2.25, approxMissingTokens: 600_000 });
    expect(cell.findings[0]?.detail).toBe('the export has $2.25 of spend the ledger lacks (≈ 600,000 tokens at the $3.75/Mtok Jevons averaged)');
    expect(report.ok).toBe(false);
    expect(report.total.ok).toBe(false);
  });

  it('price: when some kinds agree and others do not, the same traffic was priced differently (per-Mtok shown)', () => {
    const ledger = openAiFixtureLedger().map((cell) =>
      cell.day === '2026-11-02' ? pricedCell({ day: '2026-11-02', model: 'gpt-4o-2024-08-06', tokens: { input: 1_000_000, output: 200_000 }, prices: { input: 5, output: 10 }, priceRef: 'config:models.gpt-4o' }) : cell,
    );
    const cell = cellOf(run({ exports: [fixtureExport('openai-costs.json')], ledger }), '2026-11-02', 'gpt-4o');
    expect(cell.drift).toBeCloseTo(2.5 / 4.5, 9);
    expect(causes(cell)).toEqual(['price', 'only-in-ledger']);
    expect(cell.findings[0]?.numbers).toMatchObject({ exportInputPerMtok: 2.5, jevonsInputPerMtok: 5, priceRefs: 'config:models.gpt-4o' });
    expect(cell.findings[0]?.detail).toBe("at the ledger's token counts: the export implies input $2.50/Mtok vs $5.00/Mtok Jevons used (config:models.gpt-4o)");
  });

  it('price with usage + cost exports: tokens agree, dollars do not', () => {
    const ledger = openAiFixtureLedger().map((cell) =>
      cell.servedModel === 'gpt-4o-mini-2024-07-18' ? pricedCell({ day: '2026-11-01', model: 'gpt-4o-mini-2024-07-18', tokens: { input: 2_000_000, output: 500_000 }, prices: { input: 0.15, output: 0.3 } }) : cell,
    );
    const report = run({ exports: [fixtureExport('openai-usage-completions.json'), fixtureExport('openai-costs.json')], ledger });
    expect(report.measure).toBe('usd');
    const cell = cellOf(report, '2026-11-01', 'gpt-4o-mini');
    expect(cell.export.tokens).toEqual({ input: 2_000_000, cacheRead: 0, cacheWrite: 0, output: 500_000 });
    expect(causes(cell)).toEqual(['price']);
    expect(cell.findings[0]?.numbers).toMatchObject({ exportOutputPerMtok: 0.6, jevonsOutputPerMtok: 0.3 });
    expect(cellOf(report, '2026-11-01', 'gpt-4o').ok).toBe(true);
  });

  it('unpriced: ledger rows without a price come first; when they explain the gap, nothing else is blamed', () => {
    const mini = (overrides: Partial<LedgerCellInput>) => openAiFixtureLedger().map((c) => (c.servedModel === 'gpt-4o-mini-2024-07-18' ? { ...c, ...overrides } : c));
    // Output unpriced: its 500,000 tokens at the export's output price ($0.60/Mtok) are exactly the $0.30 gap.
    const explained = cellOf(run({ exports: [fixtureExport('openai-costs.json')], ledger: mini({ costUsd: 0.3, costOutputUsd: 0, unpricedRows: 4, unpricedOutputTokens: 500_000, estimatedRows: 1, estimatedTokens: 1_000 }) }), '2026-11-01', 'gpt-4o-mini');
    expect(explained.drift).toBeCloseTo(-0.5, 9);
    expect(causes(explained)).toEqual(['unpriced', 'estimated']);
    expect(explained.findings[0]?.numbers).toMatchObject({ unpricedRows: 4, unpricedTokens: 500_000 });
    expect(explained.findings[0]?.numbers.estimatedValueUsd).toBeCloseTo(0.3, 9);
    // Half the input traffic missing as well: unpriced first, then the input kind (the only comparable one) is short;
    // a price change 4x the ledger's is not offered as an explanation.
    const short = cellOf(run({ exports: [fixtureExport('openai-costs.json')], ledger: mini({ inputTokens: 1_000_000, costInputUsd: 0.15, costUsd: 0.15, costOutputUsd: 0, unpricedRows: 4, unpricedOutputTokens: 500_000 }) }), '2026-11-01', 'gpt-4o-mini');
    expect(causes(short)).toEqual(['unpriced', 'bypassed']);
    expect(short.findings[1]?.numbers).toMatchObject({ missingUsd: 0.45 });
  });

  it('only in ledger: traffic on a day or model the export lacks has an unbounded drift', () => {
    const ledger = [...openAiFixtureLedger(), pricedCell({ day: '2026-11-03', model: 'gpt-4.1-2025-04-14', tokens: { input: 10_000 }, prices: { input: 2, output: 8 } })];
    const report = run({ exports: [fixtureExport('openai-costs.json')], ledger });
    const cell = cellOf(report, '2026-11-03', 'gpt-4.1');
    expect(cell).toMatchObject({ exportAmount: 0, drift: null, ok: false });
    expect(causes(cell)).toEqual(['only-in-ledger']);
    expect(cell.findings[0]?.numbers).toMatchObject({ extraTokens: 10_000, extraUsd: 0.02 });
    expect(report.ok).toBe(false);
  });

  it('leaves out ledger days outside the export range, and empty failed attempts', () => {
    const ledger = [
      ...openAiFixtureLedger(),
      pricedCell({ day: '2026-10-31', model: 'gpt-4o', tokens: { input: 1 }, prices: { input: 2.5, output: 10 } }),
      pricedCell({ day: '2026-11-04', model: 'gpt-4o', tokens: { input: 1 }, prices: { input: 2.5, output: 10 } }),
      ledgerCell({ day: '2026-11-03', servedModel: null, requestedModel: 'gpt-4o', rows: 3 }),
    ];
    expect(run({ exports: [fixtureExport('openai-costs.json')], ledger }).ok).toBe(true);
  });

  it('compares per day when the export is not grouped by model', () => {
    const report = run({ exports: [fixtureExport('openai-costs-pages.json')], ledger: openAiFixtureLedger() });
    expect(report.granularity).toBe('day');
    expect(report.cells.map((c) => [c.day, c.model, c.ok])).toEqual([['2026-11-01', '*', true], ['2026-11-02', '*', true]]);
    expect(report.notes[0]).toMatch(/not grouped by model.*compared per day/);
    expect(report.mergedModels).toEqual([]);
  });

  it('keeps spend that is not model tokens (web search) out of the drift, listed apart', () => {
    const sonnet = { model: 'claude-sonnet-4-5-20250929', provider: 'anthropic', prices: { input: 3, cacheRead: 0.3, cacheWrite5m: 3.75, output: 15 } };
    const haiku = { model: 'claude-haiku-4-5-20251001', provider: 'anthropic', prices: { input: 1, output: 5 } };
    const ledger = [
      pricedCell({ ...sonnet, day: '2026-11-01', tokens: { input: 500_000, cacheRead: 1_000_000, cacheWrite5m: 100_000, output: 80_000 } }),
      pricedCell({ ...haiku, day: '2026-11-01', tokens: { input: 300_000, output: 40_000 } }),
      pricedCell({ ...sonnet, day: '2026-11-02', tokens: { input: 200_000, output: 30_000 } }),
    ];
    const report = run({ exports: [fixtureExport('anthropic-cost-report.json')], ledger });
    expect(report.unmetered).toEqual([{ day: '2026-11-01', description: 'Web Search', usd: 0.1 }]);
    expect(report.cells.map((c) => [c.day, c.model, c.ok])).toEqual([
      ['2026-11-01', 'claude-haiku-4-5', true],
      ['2026-11-01', 'claude-sonnet-4-5', true],
      ['2026-11-02', 'claude-sonnet-4-5', true],
    ]);
    expect(report.total.exportAmount).toBeCloseTo(3.375 + 0.5 + 1.05, 9);
    expect(report.ok).toBe(true);
  });

  it('applies the tolerance inclusively: 1% passes at --max-drift 1, 1.01% does not', () => {
    const at = (ledgerUsd: number) => {
      const ledger = openAiFixtureLedger().map((c) => (c.day === '2026-11-02' ? { ...c, costUsd: ledgerUsd } : c));
      return cellOf(run({ exports: [fixtureExport('openai-costs.json')], ledger }), '2026-11-02', 'gpt-4o').ok;
    };
    expect(at(4.5 * 1.01)).toBe(true);
    expect(at(4.5 * 0.99)).toBe(true);
    expect(at(4.5 * 1.0101)).toBe(false);
  });
});

describe('reconcile: usage exports', () => {
  it('measures tokens, prices the export with the catalog, and shows per-key sub-totals', () => {
    const report = run({ exports: [fixtureExport('openai-usage-completions.json')], ledger: openAiFixtureLedger() });
    expect(report).toMatchObject({ measure: 'tokens', ok: true });
    const gpt = cellOf(report, '2026-11-01', 'gpt-4o');
    expect([gpt.exportAmount, gpt.ledgerAmount]).toEqual([1_900_000, 1_900_000]);
    expect(gpt.export.catalogUsd).toBeCloseTo(6.5, 9);
    expect(gpt.export.byKey).toEqual({ key_A1b2C3d4E5f6G7h8: 1_200_000, key_Z9y8X7w6V5u4T3s2: 700_000 });
    expect(report.exportByKey).toEqual({ key_A1b2C3d4E5f6G7h8: 4_900_000, key_Z9y8X7w6V5u4T3s2: 700_000 });
    expect(report.notes.at(-1)).toMatch(/drift is in tokens/);
  });

  it('bypassed: export tokens the ledger lacks, by kind, with requests', () => {
    const ledger = openAiFixtureLedger().map((c) =>
      c.day === '2026-11-01' && c.servedModel === 'gpt-4o-2024-08-06' ? pricedCell({ day: '2026-11-01', model: 'gpt-4o-2024-08-06', tokens: { input: 700_000, cacheRead: 300_000, output: 200_000 }, prices: { input: 2.5, cacheRead: 1.25, output: 10 }, rows: 800 }) : c,
    );
    const cell = cellOf(run({ exports: [fixtureExport('openai-usage-completions.json')], ledger }), '2026-11-01', 'gpt-4o');
    expect(cell.drift).toBeCloseTo(-700_000 / 1_900_000, 9);
    expect(causes(cell)).toEqual(['bypassed']);
    expect(cell.findings[0]?.numbers).toMatchObject({ missingTokens: 700_000, missingInput: 500_000, missingCacheRead: 100_000, missingOutput: 100_000, missingUsd: null });
    expect(cell.findings[0]?.detail).toBe('the export has 700,000 tokens the ledger lacks (input 500,000, cache read 100,000, output 100,000) over 1,200 export requests vs 800 ledger rows');
  });

  it('estimated: when estimated tokens cover the ledger excess, they come before only-in-ledger', () => {
    const ledger = openAiFixtureLedger().map((c) => (c.day === '2026-11-02' ? { ...c, outputTokens: 230_000, estimatedRows: 3, estimatedTokens: 40_000 } : c));
    const cell = cellOf(run({ exports: [fixtureExport('openai-usage-completions.json')], ledger }), '2026-11-02', 'gpt-4o');
    expect(cell.drift).toBeCloseTo(30_000 / 1_200_000, 9);
    expect(causes(cell)).toEqual(['estimated', 'only-in-ledger']);
    expect(cell.findings[0]?.numbers).toEqual({ estimatedRows: 3, estimatedTokens: 40_000 });
    const small = openAiFixtureLedger().map((c) => (c.day === '2026-11-02' ? { ...c, outputTokens: 230_000, estimatedRows: 1, estimatedTokens: 5_000 } : c));
    expect(causes(cellOf(run({ exports: [fixtureExport('openai-usage-completions.json')], ledger: small }), '2026-11-02', 'gpt-4o'))).toEqual(['only-in-ledger', 'estimated']);
  });

  it('notes a catalog price mismatch on a cell whose tokens agree, without failing it', () => {
    const ledger = openAiFixtureLedger().map((c) => (c.day === '2026-11-02' ? pricedCell({ day: '2026-11-02', model: 'gpt-4o-2024-08-06', tokens: { input: 1_000_000, output: 200_000 }, prices: { input: 5, output: 10 } }) : c));
    const report = run({ exports: [fixtureExport('openai-usage-completions.json')], ledger });
    const cell = cellOf(report, '2026-11-02', 'gpt-4o');
    expect(cell.ok).toBe(true);
    expect(causes(cell)).toEqual(['price']);
    expect(cell.findings[0]?.detail).toContain("the catalog's current price is input $2.50/Mtok vs $5.00/Mtok Jevons used");
    expect(report.ok).toBe(true);
  });

  it('uses model aliases for ledger rows without a served model', () => {
    const ledger = openAiFixtureLedger().map((c) => (c.servedModel === 'gpt-4o-mini-2024-07-18' ? { ...c, servedModel: null, requestedModel: 'fast' } : c));
    expect(cellOf(run({ exports: [fixtureExport('openai-usage-completions.json')], ledger }), '2026-11-01', 'fast').ok).toBe(false);
    const report = run({ exports: [fixtureExport('openai-usage-completions.json')], ledger, modelAliases: { fast: 'gpt-4o-mini' } });
    expect(report.ok).toBe(true);
    expect(report.mergedModels.find((m) => m.model === 'gpt-4o-mini')).toEqual({ model: 'gpt-4o-mini', exportIds: ['gpt-4o-mini-2024-07-18'], ledgerIds: ['gpt-4o-mini'] });
  });

  it('prices Anthropic usage per context band, not the long-context tier of the daily total', () => {
    const report = run({ exports: [fixtureExport('anthropic-usage-report.json')], ledger: [] });
    // 1.68M daily input tokens would fall in the >200k tier if priced as one request; the 0-200k band is $3/$15.
    expect(cellOf(report, '2026-11-01', 'claude-sonnet-4-5').export.catalogUsd).toBeCloseTo(1.5 + 0.375 + 0.3 + 1.2, 9);
    expect(cellOf(report, '2026-11-01', 'claude-sonnet-4-5').findings.map((f) => f.cause)).toEqual(['bypassed']);
  });
});

describe('reconcile: --key-map', () => {
  const usage = () => fixtureExport('openai-usage-completions.json');

  it('compares export keys with the ledger provider they are mapped to; other keys are bypassed traffic', () => {
    const ledger = openAiFixtureLedger().map((c) => ({ ...c, provider: 'openai-main' }));
    ledger[0] = pricedCell({ day: '2026-11-01', model: 'gpt-4o-2024-08-06', provider: 'openai-main', tokens: { input: 700_000, cacheRead: 300_000, output: 200_000 }, prices: { input: 2.5, cacheRead: 1.25, output: 10 } });
    const report = run({ exports: [usage()], ledger, keyMap: { key_A1b2C3d4E5f6G7h8: 'openai-main' } });
    expect(report.keyMapped).toBe(true);
    expect(report.cells.map((c) => [c.day, c.model, c.key, c.ok])).toEqual([
      ['2026-11-01', 'gpt-4o', '(unmapped keys)', false],
      ['2026-11-01', 'gpt-4o', 'openai-main', true],
      ['2026-11-01', 'gpt-4o-mini', 'openai-main', true],
      ['2026-11-02', 'gpt-4o', 'openai-main', true],
    ]);
    expect(causes(cellOf(report, '2026-11-01', 'gpt-4o', UNMAPPED_KEYS))).toEqual(['bypassed']);
    expect(report.exportByKey).toEqual({});
  });

  it('refuses a key map for a cost export or an export not grouped by api_key_id', () => {
    expect(() => run({ exports: [fixtureExport('openai-costs.json')], ledger: [], keyMap: { k: 'openai' } })).toThrow(ReconcileInputError);
    expect(() => run({ exports: [fixtureExport('openai-costs.json')], ledger: [], keyMap: { k: 'openai' } })).toThrow(/^--key-map: cost exports carry no api_key_id/);
    const ungrouped = parseExport({ text: fixtureText('openai-usage-completions.json').replaceAll('"api_key_id": "key_Z9y8X7w6V5u4T3s2"', '"api_key_id": null'), file: 'u.json' });
    expect(() => run({ exports: [ungrouped], ledger: [], keyMap: { k: 'openai' } })).toThrow('--key-map: u.json is not grouped by api_key_id (request it with group_by=api_key_id)');
  });
});

describe('comparisonRange', () => {
  it('refuses exports of two providers and takes the range of the exports that carry the measure', () => {
    expect(() => comparisonRange([fixtureExport('openai-costs.json'), fixtureExport('anthropic-cost-report.json')])).toThrow(
      'anthropic-cost-report.json: is a anthropic export but openai-costs.json is openai; reconcile one provider at a time',
    );
    expect(() => comparisonRange([])).toThrow('no export file given');
    const pages = fixtureExport('openai-costs-pages.json');
    expect(comparisonRange([fixtureExport('openai-usage-completions.json'), pages])).toEqual({ family: 'openai', measure: 'usd', since: pages.since, until: pages.until });
  });
});
