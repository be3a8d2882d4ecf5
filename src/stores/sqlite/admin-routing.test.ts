import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LedgerRow } from '../../spec/ledger.js';
import { day0, ledgerRow, unpricedRow } from './__fixtures__/ledger-rows.js';
import { routingSavings } from './admin-routing.js';
import { openSqliteStores, type SqliteStores } from './open-sqlite-stores.js';

let stores: SqliteStores;
beforeEach(() => {
  stores = openSqliteStores({ path: ':memory:' });
});
afterEach(() => stores.close());

const range = { since: day0, until: day0 + 86_400_000 };
let ids = 0;
type RowFields = Parameters<typeof ledgerRow>[0];

/** A row of a call routing served as decided (rule:0 to the small tier) with the given costs. */
function served(fields: RowFields): LedgerRow {
  return ledgerRow({
    id: `row-${++ids}`, requestId: `req-${ids}`, routeTier: 'small', routeReason: 'rule:0', routeCandidates: [{ provider: 'openai', model: 'gpt-4o-mini' }],
    provider: 'openai', servedModel: 'gpt-4o-mini', baselineProvider: 'openai', baselineModel: 'gpt-4o', ...fields,
  });
}

function shadowed(fields: RowFields): LedgerRow {
  return ledgerRow({
    id: `row-${++ids}`, requestId: `req-${ids}`, routeReason: 'shadow:rule:0', routeCandidates: [{ provider: 'openai', model: 'gpt-4o' }],
    shadowTier: 'small', shadowProvider: 'openai', shadowModel: 'gpt-4o-mini', ...fields,
  });
}

describe('routingSavings', () => {
  it('is all zero on a ledger without routing, whatever it holds', async () => {
    await stores.ledger.append([ledgerRow({ id: 'a' }), ledgerRow({ id: 'b', requestId: 'req-2', costTotalUsd: 5 })]);
    expect(routingSavings(stores.db, range)).toEqual({
      served: { decisions: 0, rows: 0, unpricedRows: 0, costUsd: 0, baselineUsd: 0, savedUsd: 0 },
      servedAuto: { decisions: 0, rows: 0, unpricedRows: 0, costUsd: 0, baselineUsd: 0, savedUsd: 0 },
      shadow: { decisions: 0, rows: 0, unpricedRows: 0, costUsd: 0, shadowCostUsd: 0, wouldSaveUsd: 0 },
    });
    // Such rows are not in the partial index the query reads.
    expect(stores.db.prepare('SELECT COUNT(*) FROM ledger INDEXED BY ledger_routed WHERE route_reason IS NOT NULL').pluck().get()).toBe(0);
  });

  it('sums baseline - cost over served rows with both known; shadow sums cost - shadow apart', async () => {
    const cascaded = served({ requestId: 'req-cascade', costTotalUsd: 0.0005, baselineCostUsd: 0 });
    await stores.ledger.append([
      // A named model routed to a cheaper one: saved 0.01 - 0.001.
      served({ costTotalUsd: 0.001, baselineCostUsd: 0.01 }),
      // A cascade: the replaced answer's baseline is 0 (it costs 0.0005 against the saving); the escalated one saved 0.006.
      cascaded,
      served({ id: 'row-cascade-2', requestId: 'req-cascade', attempt: 2, followsReason: 'cascade:not_empty', costTotalUsd: 0.004, baselineCostUsd: 0.01 }),
      // jevons/auto, baseline by convention: saved 0.02 - 0.002.
      served({ requestedModel: 'jevons/auto', costTotalUsd: 0.002, baselineCostUsd: 0.02, baselineModel: 'claude-sonnet-4-5', baselineProvider: 'anthropic' }),
      // Unpriced baseline, unpriced served model: left out, counted as unpriced.
      served({ costTotalUsd: 0.003, baselineCostUsd: null, baselineModel: 'house-model' }),
      unpricedRow({ id: `row-${++ids}`, requestId: `req-${ids}`, routeTier: 'small', routeReason: 'header', baselineModel: 'gpt-4o', baselineProvider: 'openai', baselineCostUsd: 0.01 }),
      // No answer (no tokens, no cost) then an answer: the first counts nowhere, the request once.
      served({ requestId: 'req-retry', status: 0, errorCode: 'upstream_unreachable', inputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 0, reasoningTokens: 0, costTotalUsd: null, baselineCostUsd: null }),
      served({ id: 'row-retry-2', requestId: 'req-retry', attempt: 2, followsReason: 'connection', costTotalUsd: 0.001, baselineCostUsd: 0.0015 }),
      // Pinned: served as asked, no baseline; not a routing decision that saves anything.
      ledgerRow({ id: `row-${++ids}`, requestId: `req-${ids}`, routeReason: 'pinned', routeCandidates: [{ provider: 'openai', model: 'gpt-4o' }], costTotalUsd: 1 }),
      // Shadow: would have saved 0.01 - 0.001; a row without an answer keeps its estimate and no cost: nowhere.
      shadowed({ costTotalUsd: 0.01, shadowCostUsd: 0.001 }),
      shadowed({ status: 0, inputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 0, reasoningTokens: 0, costTotalUsd: null, shadowCostUsd: 0.0001 }),
      shadowed({ costTotalUsd: 0.01, shadowCostUsd: null }),
      // Outside the range: not counted.
      served({ startedAt: day0 - 1, costTotalUsd: 0.001, baselineCostUsd: 0.01 }),
      served({ startedAt: range.until, costTotalUsd: 0.001, baselineCostUsd: 0.01 }),
    ]);
    const result = routingSavings(stores.db, range);
    // Requests: plain, cascade, auto, two unpriced, retry = 6; counted rows: plain, cascade x2, auto, retry's answer = 5.
    expect(result.served).toMatchObject({ decisions: 6, rows: 5, unpricedRows: 2 });
    expect(result.served.costUsd).toBeCloseTo(0.001 + 0.0005 + 0.004 + 0.002 + 0.001, 12);
    expect(result.served.baselineUsd).toBeCloseTo(0.01 + 0 + 0.01 + 0.02 + 0.0015, 12);
    expect(result.served.savedUsd).toBeCloseTo(0.009 - 0.0005 + 0.006 + 0.018 + 0.0005, 12);
    expect(result.servedAuto).toMatchObject({ decisions: 1, rows: 1, unpricedRows: 0 });
    expect(result.servedAuto.savedUsd).toBeCloseTo(0.018, 12);
    expect(result.shadow).toMatchObject({ decisions: 3, rows: 1, unpricedRows: 1 });
    expect(result.shadow.wouldSaveUsd).toBeCloseTo(0.009, 12);
    expect(result.shadow.shadowCostUsd).toBeCloseTo(0.001, 12);
    expect(result.shadow.costUsd).toBeCloseTo(0.01, 12);
  });

  it('a routing that cost more than the baseline is a negative saving', async () => {
    await stores.ledger.append([served({ costTotalUsd: 0.05, baselineCostUsd: 0.01 })]);
    expect(routingSavings(stores.db, range).served.savedUsd).toBeCloseTo(-0.04, 12);
  });

  it('takes the attribution filters GET /spend takes', async () => {
    await stores.ledger.append([
      served({ costTotalUsd: 0.001, baselineCostUsd: 0.01, attribution: { feature: 'support', tags: { env: 'prod' } } }),
      served({ costTotalUsd: 0.002, baselineCostUsd: 0.03, attribution: { feature: 'search', tags: { env: 'dev' } } }),
    ]);
    const feature = routingSavings(stores.db, { ...range, filters: [{ dimension: { kind: 'column', name: 'feature' }, values: ['search'] }] });
    expect(feature.served).toMatchObject({ decisions: 1, rows: 1 });
    expect(feature.served.savedUsd).toBeCloseTo(0.028, 12);
    const tag = routingSavings(stores.db, { ...range, filters: [{ dimension: { kind: 'tag', name: 'env' }, values: ['prod', 'staging'] }] });
    expect(tag.served.savedUsd).toBeCloseTo(0.009, 12);
    const both = routingSavings(stores.db, { ...range, filters: [{ dimension: { kind: 'tag', name: 'env' }, values: ['prod'] }, { dimension: { kind: 'column', name: 'feature' }, values: ['search'] }] });
    expect(both.served.decisions).toBe(0);
  });

  it('the baseline columns round-trip through the ledger', async () => {
    const row = served({ id: 'rt', requestId: 'req-rt', costTotalUsd: 0.001, baselineCostUsd: 0.0123 });
    await stores.ledger.append([row]);
    expect(await stores.ledger.byRequest('req-rt')).toEqual([row]);
    expect(stores.db.prepare("SELECT baseline_provider, baseline_model, baseline_cost_usd FROM ledger WHERE id = 'rt'").get()).toEqual({ baseline_provider: 'openai', baseline_model: 'gpt-4o', baseline_cost_usd: 0.0123 });
  });
});
