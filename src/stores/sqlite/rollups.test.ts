import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bucketBounds } from '../../server/admin/admin-time.js';
import type { BudgetConfig } from '../../spec/config/governance-schema.js';
import type { LedgerRow } from '../../spec/ledger.js';
import { ledgerRow } from './__fixtures__/ledger-rows.js';
import { customerMonthCosts, dailySpendByFeature, heaviestSessions, spendOf } from './admin-analytics.js';
import { customersSeen } from './admin-plans.js';
import { budgetScopeSpend } from './budget-scope-spend.js';
import { savingsBySource, spendBuckets, spendGroups, spendSeries, type SpendDimension, type SpendFilter, type SpendRange } from './admin-spend.js';
import { ledgerColumns, toLedgerRecord } from './ledger-record.js';
import { applyCostUpdates } from './ledger-reprice.js';
import { migrate } from './migrate.js';
import { migrations } from './migrations/index.js';
import { openSqliteStores, type SqliteStores } from './open-sqlite-stores.js';
import { HOUR_MS, splitRange } from './rollups.js';

/** Europe/Paris springs forward on 2026-03-29 at 01:00Z: that local day has 23 hours. */
const start = Date.UTC(2026, 2, 27, 5, 17);
const end = Date.UTC(2026, 2, 31, 21, 43);

/** A deterministic generator (mulberry32), so every run builds the same ledger. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Rows of every kind the sums treat apart: unpriced, unbilled failures, retries, errors, cache answers, NULL dims. */
function constructedRows(count: number, seed = 7): LedgerRow[] {
  const next = random(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)] as T;
  return Array.from({ length: count }, (_, index) => {
    const startedAt = start + Math.floor(next() * (end - start));
    const kind = next();
    const cost = Math.round(next() * 1e6) / 1e7;
    const cacheSource = kind < 0.1 ? 'exact' : kind < 0.15 ? 'semantic' : null;
    const unpriced = kind > 0.9;
    const failed = kind > 0.85 && kind <= 0.9;
    return ledgerRow({
      id: `row-${index}`,
      requestId: `req-${Math.floor(index / 2)}`,
      attempt: index % 7 === 3 ? 2 : 1,
      startedAt,
      firstByteAt: null,
      endedAt: startedAt + Math.floor(next() * 5_000),
      dialect: pick(['openai', 'anthropic'] as const),
      provider: pick(['openai', 'anthropic', 'gemini']),
      requestedModel: pick(['gpt-4o', 'claude-sonnet', 'gemini-pro']),
      servedModel: pick(['gpt-4o-2024-08-06', null]),
      status: failed ? pick([429, 500]) : 200,
      errorCode: failed ? 'upstream_error' : kind > 0.84 && kind <= 0.85 ? 'stream_failed' : null,
      attribution: { feature: pick(['search', 'chat', 'summarise', null]), team: pick(['growth', 'core', null]), app: pick(['web', 'mobile']), keyId: pick(['key-1', 'key-2', null]), customer: pick(['acme', 'globex', 'initech', null]), user: `u-${index % 11}`, session: `s-${index % 13}`, tags: { env: pick(['prod', 'dev']) } },
      inputTokens: failed ? 0 : 100 + Math.floor(next() * 5_000),
      cacheReadTokens: next() < 0.3 ? Math.floor(next() * 2_000) : 0,
      cacheWrite5mTokens: failed ? 0 : Math.floor(next() * 50),
      cacheWrite1hTokens: 0,
      outputTokens: failed ? 0 : Math.floor(next() * 800),
      reasoningTokens: Math.floor(next() * 100),
      usageEstimated: next() < 0.05,
      serviceTier: pick(['standard', 'batch'] as const),
      costInputUsd: unpriced || failed ? null : cost / 2,
      costCacheReadUsd: unpriced || failed ? null : cost / 10,
      costCacheWriteUsd: unpriced || failed ? null : 0,
      costOutputUsd: unpriced || failed ? null : cost - cost / 2 - cost / 10,
      costRequestUsd: unpriced || failed ? null : 0,
      costTotalUsd: unpriced || failed ? null : cost,
      cacheSource,
      costUncachedUsd: unpriced || failed || next() < 0.2 ? null : cost * (cacheSource === null ? 1.4 : 9),
    });
  });
}

/** Counts must be equal; money may differ in the last bits (sums taken in another order): within 1e-9 USD. */
function expectSame(actual: unknown, expected: unknown, path = '$'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    if (Number.isInteger(expected) && Number.isInteger(actual)) expect(actual, path).toBe(expected);
    else expect(Math.abs(actual - expected), `${path}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-9);
    return;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    expect(actual.length, `${path}.length`).toBe(expected.length);
    expected.forEach((item, index) => expectSame(actual[index], item, `${path}[${index}]`));
    return;
  }
  if (typeof expected === 'object' && expected !== null && typeof actual === 'object' && actual !== null) {
    expect(Object.keys(actual).sort(), path).toEqual(Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected)) expectSame((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
    return;
  }
  expect(actual, path).toEqual(expected);
}

const feature: SpendDimension = { kind: 'column', name: 'feature' };
/** Budget scopes over rollup dimensions (one family, two families) and over a tag (raw ledger). */
const budgetScopes: Array<BudgetConfig['scope']> = [{}, { team: '*' }, { customer: '*', key: 'key-1' }, { feature: 'chat', customer: '*' }, { team: 'core', tags: { env: 'prod' } }];
const rollupTables = ['ledger_hourly_features', 'ledger_daily_customers', 'ledger_hourly_customers', 'ledger_hourly_sessions'];
const timeColumn = (table: string): string => (table.includes('_daily_') ? 'day' : 'hour');
/** customersSeen's answer computed from the raw ledger alone. */
const customersSeenRaw = (db: BetterSqlite3.Database, range: { since: number; until: number }) =>
  db.prepare('SELECT customer, SUM(attempt = 1) AS requests, TOTAL(cost_total_usd) AS costUsd FROM ledger WHERE started_at >= @since AND started_at < @until AND customer IS NOT NULL GROUP BY customer ORDER BY customer').all(range);
const sortCells = <T extends { group: string | null; bucket: number }>(cells: T[]): T[] => [...cells].sort((a, b) => a.bucket - b.bucket || String(a.group).localeCompare(String(b.group)));

/** Every admin read over the range, through the rollup (auto) or the raw ledger: the two must agree. */
function reads(db: BetterSqlite3.Database, range: { since: number; until: number }, timeZone: string, filters: SpendFilter[] = []) {
  const bounds = bucketBounds({ from: range.since, to: range.until, interval: 'day', timeZone });
  const hours = bucketBounds({ from: range.since, to: range.until, interval: 'hour', timeZone });
  return (source: 'auto' | 'ledger') => {
    const spendRange: SpendRange = { ...range, filters, source };
    const groups = spendGroups(db, { range: spendRange, groupBy: feature, limit: 100, offset: 0 });
    return {
      total: spendGroups(db, { range: spendRange, groupBy: null, limit: 1, offset: 0 }),
      groups,
      byCustomer: spendGroups(db, { range: spendRange, groupBy: { kind: 'column', name: 'customer' }, limit: 2, offset: 1 }),
      byKey: spendGroups(db, { range: spendRange, groupBy: { kind: 'column', name: 'key' }, limit: 10, offset: 0 }),
      bySession: spendGroups(db, { range: spendRange, groupBy: { kind: 'column', name: 'session' }, limit: 5, offset: 0 }),
      customerDays: sortCells(spendBuckets(db, { range: spendRange, groupBy: { kind: 'column', name: 'customer' }, groups: ['acme', null], bounds })),
      featureOfCustomer: spendGroups(db, { range: { ...spendRange, filters: [...filters, { dimension: { kind: 'column', name: 'customer' }, values: ['acme'] }] }, groupBy: feature, limit: 100, offset: 0 }),
      sessions: heaviestSessions(db, { range: { ...range, source }, top: 3 }),
      sessionsOf: heaviestSessions(db, { range: { ...range, source }, top: 2, customers: ['acme', 'initech'] }),
      budgets: budgetScopes.map((scope) => budgetScopeSpend(db, { budget: { name: 'b', scope, period: 'monthly', timezone: 'UTC', limit_usd: 1, action: 'block', alert_at: [] } as unknown as BudgetConfig, ...range, source })),
      days: sortCells(spendBuckets(db, { range: spendRange, groupBy: feature, groups: groups.map((g) => g.group), bounds })),
      hours: sortCells(spendBuckets(db, { range: spendRange, groupBy: null, groups: [null], bounds: hours })),
      savings: savingsBySource(db, spendRange),
      daily: dailySpendByFeature(db, { range: { ...range, source }, dayBounds: bounds }).sort((a, b) => a.bucket - b.bucket || String(a.feature).localeCompare(String(b.feature))),
      months: customerMonthCosts(db, { range: { ...range, source }, monthBounds: bucketBounds({ from: range.since, to: range.until, interval: 'month', timeZone }) }).sort((a, b) => a.customer.localeCompare(b.customer)),
      spend: [spendOf(db, { range: { ...range, source } }), spendOf(db, { range: { ...range, source }, feature: null }), spendOf(db, { range: { ...range, source }, feature: 'chat' })],
    };
  };
}

let stores: SqliteStores;
let rows: LedgerRow[];
beforeEach(async () => {
  stores = openSqliteStores({ path: ':memory:' });
  rows = constructedRows(3_000);
  // Batches of mixed sizes, as the ledger writer flushes them.
  for (let index = 0; index < rows.length; index += 1 + (index % 97)) await stores.ledger.append(rows.slice(index, index + 1 + (index % 97)));
});
afterEach(async () => {
  await stores.close();
});

describe('rollup reads equal raw ledger reads', () => {
  const cases: Array<[string, string, { since: number; until: number }]> = [
    ['Europe/Paris across the spring-forward day, unaligned range', 'Europe/Paris', { since: start + 12_345, until: end - 54_321 }],
    ['Europe/Paris, whole local days', 'Europe/Paris', { since: Date.UTC(2026, 2, 27, 23), until: Date.UTC(2026, 2, 30, 22) }],
    ['America/St_Johns (-02:30): one raw hour per day bound', 'America/St_Johns', { since: start, until: end }],
    ['UTC', 'UTC', { since: Date.UTC(2026, 2, 28), until: Date.UTC(2026, 2, 31) }],
  ];
  it.each(cases)('%s', (_, timeZone, range) => {
    const read = reads(stores.db, range, timeZone);
    expect(splitRange(range.since, range.until, bucketBounds({ from: range.since, to: range.until, interval: 'day', timeZone }))).not.toBeNull();
    const viaRollup = read('auto');
    expect(viaRollup.total[0]?.rows).toBeGreaterThan(1_000);
    expectSame(viaRollup, read('ledger'));
  });

  it('with filters on rollup dimensions, and reads the rollup (changing it changes the answer)', () => {
    const filters: SpendFilter[] = [{ dimension: { kind: 'column', name: 'team' }, values: ['growth', 'core'] }, { dimension: { kind: 'column', name: 'provider' }, values: ['openai'] }];
    const read = reads(stores.db, { since: start, until: end }, 'Europe/Paris', filters);
    const before = read('auto');
    expectSame(before, read('ledger'));
    stores.db.exec('UPDATE ledger_hourly_features SET rows = rows + 1');
    const after = read('auto');
    expect(after.total[0]?.rows).toBeGreaterThan(before.total[0]?.rows ?? 0);
    // Team and provider filters with a customer group-by: no rollup holds all three, so that read stays on the ledger.
    expect(after.byCustomer).toEqual(before.byCustomer);
  });

  it('reads customers, keys and sessions from their own rollups (changing them changes the answer)', () => {
    const range = { since: start, until: end };
    const before = reads(stores.db, range, 'Europe/Paris')('auto');
    stores.db.exec('UPDATE ledger_hourly_customers SET rows = rows + 1, cost_total_usd = cost_total_usd + 1');
    stores.db.exec('UPDATE ledger_hourly_sessions SET requests = requests + 1');
    const after = reads(stores.db, range, 'Europe/Paris')('auto');
    expect(after.byCustomer[0]?.rows).toBeGreaterThan(before.byCustomer[0]?.rows ?? 0);
    expect(after.byKey[0]?.costUsd).toBeGreaterThan(before.byKey[0]?.costUsd ?? 0);
    expect(after.months[0]?.costUsd).toBeGreaterThan(before.months[0]?.costUsd ?? 0);
    expect(after.sessions[0]?.requests).toBeGreaterThan(before.sessions[0]?.requests ?? 0);
    expect(after.sessionsOf.map((s) => s.customer)).toEqual(['acme', 'acme', 'initech', 'initech']);
    expect(after.budgets[2]?.[0]?.spentUsd).toBeGreaterThan(before.budgets[2]?.[0]?.spentUsd ?? 0);
    // A budget on a feature and a customer: no rollup holds both, the raw ledger answers.
    expect(after.budgets[3]).toEqual(before.budgets[3]);
    expect(customersSeen(stores.db, range)).not.toEqual(customersSeenRaw(stores.db, range));
    // Feature within one customer: no rollup holds both, the raw ledger answers.
    expect(after.featureOfCustomer).toEqual(before.featureOfCustomer);
  });

  it('customersSeen through the rollup equals the raw ledger', () => {
    for (const range of [{ since: start + 12_345, until: end - 54_321 }, { since: start, until: end }]) expectSame(customersSeen(stores.db, range), customersSeenRaw(stores.db, range));
  });

  it('reads the raw ledger for user and tag dimensions', () => {
    for (const table of rollupTables) stores.db.exec(`DELETE FROM ${table}`);
    const range: SpendRange = { since: start, until: end, filters: [{ dimension: { kind: 'tag', name: 'env' }, values: ['prod'] }] };
    const [total] = spendGroups(stores.db, { range, groupBy: { kind: 'column', name: 'user' }, limit: 100, offset: 0 });
    expect(total?.rows).toBeGreaterThan(0);
    // Control: a query the rollup answers (whole hours) sees the emptied rollup.
    expect(spendGroups(stores.db, { range: { since: Date.UTC(2026, 2, 28), until: Date.UTC(2026, 2, 31), filters: [] }, groupBy: null, limit: 1, offset: 0 })).toEqual([]);
  });
});

describe('spendSeries', () => {
  it('in one statement (few groups) answers what the page, its cells and the total answer apart', () => {
    const range: SpendRange = { since: start + 12_345, until: end - 54_321, filters: [] };
    const bounds = bucketBounds({ from: range.since, to: range.until, interval: 'day', timeZone: 'Europe/Paris' });
    for (const groupBy of [feature, { kind: 'column', name: 'provider' } as const, null]) {
      for (const [limit, offset] of [[2, 0], [2, 2], [100, 0]] as const) {
        const series = spendSeries(stores.db, { range, groupBy, limit, offset, bounds });
        const page = groupBy === null ? spendGroups(stores.db, { range, groupBy, limit: 1, offset: 0 }).slice(offset, offset + limit) : spendGroups(stores.db, { range, groupBy, limit: limit + 1, offset });
        expectSame(series.groups, page.slice(0, limit));
        expect(series.more).toBe(groupBy === null ? false : page.length > limit);
        expectSame(sortCells(series.cells), series.groups.length === 0 ? [] : sortCells(spendBuckets(stores.db, { range, groupBy, groups: series.groups.map((g) => g.group), bounds })));
        const [{ group: _, ...total } = { group: null }] = spendGroups(stores.db, { range, groupBy: null, limit: 1, offset: 0 });
        expectSame(series.total, total);
      }
    }
    // Many groups (customer): three statements, same shape.
    const customers = spendSeries(stores.db, { range, groupBy: { kind: 'column', name: 'customer' }, limit: 2, offset: 0, bounds });
    expect(customers.groups).toHaveLength(2);
    expect(customers.more).toBe(true);
  });
});

describe('rollup maintenance', () => {
  const table = (db: BetterSqlite3.Database) => rollupTables.map((name) => db.prepare(`SELECT * FROM ${name} ORDER BY ${timeColumn(name)}, dims`).all());

  it('the migration backfills exactly what ingest builds', () => {
    const db = new BetterSqlite3(':memory:');
    migrate({ db, path: ':memory:', migrations: migrations.filter((m) => m.version < 11) });
    // Only the columns the ledger had before 0011: later migrations add columns (0013: baseline_*), NULL on old rows.
    const present = new Set(db.prepare("SELECT name FROM pragma_table_info('ledger')").pluck().all());
    const columns = ledgerColumns.filter((column) => present.has(column));
    const insert = db.prepare(`INSERT INTO ledger (${columns.join(', ')}) VALUES (${columns.map((column) => `@${column}`).join(', ')})`);
    for (const row of rows) insert.run(toLedgerRecord(row));
    migrate({ db, path: ':memory:' });
    const backfilled = table(db);
    for (const cells of backfilled) expect(cells.length).toBeGreaterThan(100);
    expectSame(backfilled, table(stores.db));
    db.close();
  });

  it('reprice moves the rolled-up costs with the rows', () => {
    const repriced = rows.filter((row, index) => index % 5 === 0 && row.startedAt < start + 20 * HOUR_MS);
    const changed = applyCostUpdates(stores.db, repriced.map((row) => ({ id: row.id, costInputUsd: 0.5, costCacheReadUsd: 0, costCacheWriteUsd: 0, costOutputUsd: 0.5, costRequestUsd: 0, costTotalUsd: 1, priceRef: 'test' })), end);
    expect(changed).toBe(repriced.length);
    const read = reads(stores.db, { since: start, until: end }, 'UTC');
    const after = read('auto');
    expectSame(after, read('ledger'));
    expect(after.spend[0]).toBeGreaterThan(repriced.length);
  });

  it('retention removes rolled-up amounts, keeping rows still running at the cutoff', async () => {
    const cutoff = Date.UTC(2026, 2, 29, 10, 30);
    const straddling = ledgerRow({ id: 'long', requestId: 'long', startedAt: cutoff - 90 * 60_000, endedAt: cutoff + 60_000, costTotalUsd: 123 });
    await stores.ledger.append([straddling]);
    const deleted = await stores.ledger.deleteBefore(cutoff);
    expect(deleted).toBeGreaterThan(0);
    const read = reads(stores.db, { since: start - HOUR_MS, until: end }, 'Europe/Paris');
    const after = read('auto');
    expectSame(after, read('ledger'));
    expect(after.spend[0]).toBeGreaterThan(123);
    for (const table of rollupTables) {
      const first = stores.db.prepare(`SELECT MIN(${timeColumn(table)}) FROM ${table}`).pluck().get();
      expect(first, table).toBe(timeColumn(table) === 'day' ? Date.UTC(2026, 2, 29) : Date.UTC(2026, 2, 29, 9));
    }
  });
});

describe('splitRange', () => {
  const h = (hours: number) => Date.UTC(2026, 2, 29) + hours * HOUR_MS;
  it('takes whole hours from the rollup and the split edges from the ledger', () => {
    // h(23) is on an hour but inside the UTC day: that day is read by the hour.
    expect(splitRange(h(0), h(24), [h(0), h(23), h(47)])).toEqual({ days: [], hours: [[h(0), h(24)]], raw: [] });
    expect(splitRange(h(0), h(24), [h(0), h(24)])).toEqual({ days: [[h(0), h(24)]], hours: [], raw: [] });
    expect(splitRange(h(0.25), h(5.5))).toEqual({ days: [], hours: [[h(1), h(5)]], raw: [[h(0.25), h(1)], [h(5), h(5.5)]] });
    expect(splitRange(h(0), h(48), [h(-0.5), h(23.5), h(47.5)])).toEqual({ days: [], hours: [[h(0), h(23)], [h(24), h(47)]], raw: [[h(23), h(24)], [h(47), h(48)]] });
  });
  it('takes whole UTC days that no bound cuts as days', () => {
    expect(splitRange(h(-1.5), h(72.25), [h(23)])).toEqual({ days: [[h(24), h(72)]], hours: [[h(-1), h(24)]], raw: [[h(-1.5), h(-1)], [h(72), h(72.25)]] });
    expect(splitRange(h(0), h(96), [h(0), h(48), h(96)])).toEqual({ days: [[h(0), h(96)]], hours: [], raw: [] });
  });
  it('gives up when no whole hour is left or too many hours are split', () => {
    expect(splitRange(h(0.1), h(0.9))).toBeNull();
    expect(splitRange(h(0), h(0))).toBeNull();
    expect(splitRange(h(0), h(200), Array.from({ length: 200 }, (_, i) => h(i + 0.5)))).toBeNull();
  });
});
