/**
 * The admin analytics endpoints (GET /admin/v1/outcomes, /forecast, /whales, /waste) end to end: a gateway on
 * loopback, ledger rows appended at known instants with known costs, outcomes, governance events and cache findings
 * written to the same database, then each endpoint: hand-checked numbers, the same numbers the pure analytics
 * functions give on the same inputs, agreement with GET /spend, auth failures and bad parameters.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetRunOut, costPerOutcome, forecastSpend, wasteReport, whaleReport } from '../../src/analytics/index.js';
import type { LedgerRow } from '../../src/spec/ledger.js';
import { ledgerRow } from '../../src/stores/sqlite/__fixtures__/ledger-rows.js';
import { upsertCacheFindings } from '../../src/stores/sqlite/cache-findings.js';
import { createSqliteEventStore } from '../../src/stores/sqlite/event-store.js';
import { createOutcomeWriter } from '../../src/stores/sqlite/outcome-store.js';
import { startStack, type Stack } from '../support/stack.js';

const TOKEN = 'analytics-admin-token';
const at = (iso: string) => Date.parse(iso);
let stack: Stack;
let dir: string;
let db: Database;

// The response shapes these tests read (docs/admin-api.md); the API's JSON is cast to them, as in admin-api.test.ts.
interface Group { key: string | null; requests: number; spend_usd: number; successes: number; failures: number; cost_per_success_usd: number | null }
interface OutcomesBody { group_by: string; total_spend_usd: number; total: Group; groups: Group[] }
interface Period { actual_usd: number; baseline_total_usd: number; scenarios: Record<string, { total_usd: number }> }
interface Series { series: string; feature: string | null; run_rate_usd_per_day: number; actual: Array<{ day: string; usd: number }>; month: Period; quarter: Period; fan: unknown[] }
interface RunOut { daily_usd: number; runs_out_on: string | null; projected_period_usd: number }
interface BudgetForecast { budget: string; feature?: string | null; period_start?: string; spent_so_far_usd?: number; reason?: string; scenarios?: Record<string, RunOut> }
interface ForecastBody { as_of: string; series: Series[]; budgets: BudgetForecast[] }
interface Customer { customer: string; cost_usd: number; is_whale: boolean | null; trend: unknown }
interface WhalesBody { totals: { whales: number } & Record<string, unknown>; data: Customer[]; next_cursor: string | null }
interface Kind { kind: string; usd: number; count: number }
interface WasteBody { totals: { waste_usd: number }; waste: Kind[]; savings: Kind[]; stopped_by_breakers: unknown }
interface ErrorBody { error: { code: string; message: string; param: string | null } }

async function call(path: string, token: string | null = TOKEN): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${stack.gateway.url}/admin/v1${path}`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.json() };
}
async function get<T>(path: string): Promise<T> {
  const answer = await call(path);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body as T;
}
const failure = async (path: string, token: string | null = TOKEN) => {
  const answer = await call(path, token);
  return { status: answer.status, error: (answer.body as ErrorBody).error };
};

const noCache = { cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 };
const row = (id: string, startedAt: string, cost: number | null, attribution: Partial<LedgerRow['attribution']>, extra: Partial<LedgerRow> = {}): LedgerRow =>
  ledgerRow({ id, requestId: id, startedAt: at(startedAt), firstByteAt: null, endedAt: at(startedAt) + 100, requestedModel: 'gpt-4o', costTotalUsd: cost, costUncachedUsd: cost, ...noCache, attribution: { team: null, app: null, feature: null, user: null, customer: null, session: null, tags: {}, ...attribution }, ...extra });

// March 2026, UTC. Monday 2 March starts ISO week 10; Monday 9 March week 11.
const rows: LedgerRow[] = [
  row('a1', '2026-03-02T10:00:00Z', 1, { feature: 'qa', customer: 'acme', session: 's1' }, { cacheReadTokens: 200, costUncachedUsd: 1.2 }),
  row('a2', '2026-03-03T10:00:00Z', 0.5, { feature: 'qa', customer: 'acme', session: 's1' }),
  row('b1', '2026-03-10T09:00:00Z', 2, { feature: 'sum', customer: 'beta' }, { requestedModel: 'claude-sonnet-4-5' }),
  { ...row('b2-1', '2026-03-10T10:00:00Z', 0.25, { feature: 'sum', customer: 'beta', session: 's2' }, { requestedModel: 'claude-sonnet-4-5', status: 500, errorCode: 'upstream_server_error' }), requestId: 'b2', attempt: 1 },
  { ...row('b2-2', '2026-03-10T10:00:05Z', 0.75, { feature: 'sum', customer: 'beta', session: 's2' }, { requestedModel: 'claude-sonnet-4-5' }), requestId: 'b2', attempt: 2 },
  row('c1', '2026-03-11T10:00:00Z', null, { customer: 'gamma' }, { requestedModel: 'mystery', costUncachedUsd: null, priceRef: null }),
  row('x1', '2026-03-12T10:00:00Z', 0, { feature: 'qa' }, { cacheSource: 'exact', costUncachedUsd: 0.8 }),
  row('f1', '2026-02-15T10:00:00Z', 5, { feature: 'qa', customer: 'acme', session: 's0' }),
];
const range = 'from=2026-03-01&to=2026-03-15';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jevons-analytics-'));
  const path = join(dir, 'ledger.db');
  stack = await startStack({
    env: { JEVONS_ADMIN_TOKEN: TOKEN },
    config: {
      storage: { path, flush_interval_ms: 10 },
      admin: { timezone: 'UTC' },
      budgets: [
        { name: 'all-monthly', scope: {}, period: 'monthly', limit_usd: 10 },
        { name: 'sum-weekly', scope: { feature: 'sum' }, period: 'weekly', limit_usd: 3 },
        { name: 'per-feature', scope: { feature: '*' }, period: 'daily', limit_usd: 1 },
        { name: 'per-user', scope: { user: '*' }, period: 'daily', limit_usd: 1 },
        { name: 'hourly', scope: {}, period: 'hourly', limit_usd: 1 },
        { name: 'tokens', scope: {}, period: 'monthly', limit_tokens: 1000 },
      ],
      plans: [{ name: 'pro', monthly_price_usd: 99, included_usage_usd: 20 }, { name: 'basic', monthly_price_usd: 10 }],
      customers: { acme: 'pro', beta: 'basic' },
    },
  });
  await stack.gateway.ledger.append(rows);
  db = new BetterSqlite3(path);
  const outcome = { keyId: '', source: 'api' as const, note: null };
  createOutcomeWriter(db)([
    { id: 'o1', at: at('2026-03-04T00:00:00Z'), requestId: null, sessionId: 's1', status: 'success', score: null, ...outcome },
    { id: 'o2', at: at('2026-03-10T11:00:00Z'), requestId: 'b1', sessionId: null, status: null, score: 0.3, ...outcome },
    { id: 'o3', at: at('2026-03-10T12:00:00Z'), requestId: 'b2', sessionId: null, status: 'success', score: null, ...outcome },
    { id: 'o4', at: at('2026-03-11T12:00:00Z'), requestId: 'b1', sessionId: null, status: 'success', score: null, ...outcome },
    { id: 'o5', at: at('2026-03-11T12:00:00Z'), requestId: 'elsewhere', sessionId: null, status: 'failure', score: null, ...outcome },
    { id: 'o6', at: at('2026-03-12T12:00:00Z'), requestId: 'x1', sessionId: null, status: null, score: 0.3, ...outcome },
  ]);
  await createSqliteEventStore(db).append([
    { id: 'e1', at: at('2026-03-03T10:00:01Z'), kind: 'breaker_warn', name: 'loops', scope: null, session: 's1', requestId: 'a2', reason: 'repeat', costUsd: null, details: { kind: 'identical_requests' } },
    { id: 'e2', at: at('2026-03-10T12:00:00Z'), kind: 'breaker_trip', name: 'loops', scope: null, session: 's2', requestId: null, reason: 'loop', costUsd: 0.4, details: { kind: 'no_progress' } },
  ]);
  upsertCacheFindings(db, [{ day: '2026-03-05', feature: 'qa', model: 'gpt-4o', kind: 'timestamp', location: 'system', occurrences: 3, pricedOccurrences: 3, tokensAfter: 900, lostUsd: 0.1, charOffset: 10, tokenOffset: 3, example: 'dddd', lastSeenAt: at('2026-03-05T10:00:00Z') }]);
}, 30_000);

afterAll(async () => {
  db?.close();
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /outcomes', () => {
  const requests = [
    { requestId: 'a1', sessionId: 's1', costUsd: 1, feature: 'qa', model: 'gpt-4o', day: '2026-03-02' },
    { requestId: 'a2', sessionId: 's1', costUsd: 0.5, feature: 'qa', model: 'gpt-4o', day: '2026-03-03' },
    { requestId: 'b1', sessionId: null, costUsd: 2, feature: 'sum', model: 'claude-sonnet-4-5', day: '2026-03-10' },
    { requestId: 'b2', sessionId: 's2', costUsd: 1, feature: 'sum', model: 'claude-sonnet-4-5', day: '2026-03-10' },
    { requestId: 'c1', sessionId: null, costUsd: null, feature: null, model: 'mystery', day: '2026-03-11' },
    { requestId: 'x1', sessionId: null, costUsd: 0, feature: 'qa', model: 'gpt-4o', day: '2026-03-12' },
  ];
  /** One spend cell per request (what the ledger's rows add up to). */
  const spendOf = (list: typeof requests) => list.map((r) => ({ feature: r.feature, model: r.model, day: r.day, requests: 1, spendUsd: r.costUsd ?? 0, unpricedRows: r.costUsd === null ? 1 : 0 }));
  const outcomes = [{ sessionId: 's1', status: 'success' as const }, { requestId: 'b1', score: 0.3 }, { requestId: 'b2', status: 'success' as const }, { requestId: 'b1', status: 'success' as const }, { requestId: 'x1', score: 0.3 }];

  it('gives cost per success by feature, hand-checked and equal to costPerOutcome and to /spend', async () => {
    const body = await get<OutcomesBody>(`/outcomes?${range}`);
    expect(body).toMatchObject({ group_by: 'feature', score_threshold: 0.5, total_spend_usd: 4.5, ignored_outcomes: 0 });
    expect(body.total).toEqual({ key: null, requests: 6, spend_usd: 4.5, unpriced_rows: 1, requests_with_outcome: 5, successes: 3, failures: 1, cost_per_success_usd: 1.5, success_rate: 0.75 });
    expect(body.groups.map((g) => [g.key, g.spend_usd, g.successes, g.cost_per_success_usd])).toEqual([['sum', 3, 2, 1.5], ['qa', 1.5, 1, 1.5], [null, 0, 0, null]]);
    const report = costPerOutcome({ spend: spendOf(requests), requests, outcomes });
    expect(body.groups.map((g) => g.requests)).toEqual(report.byFeature.map((g) => g.requests));
    expect(body.total.cost_per_success_usd).toBe(report.total.costPerSuccessUsd);
    expect((await get<{ totals: { cost_usd: number } }>(`/spend?${range}`)).totals.cost_usd).toBeCloseTo(body.total_spend_usd, 12);
  });

  it('groups by model and ISO week, and honours score_threshold', async () => {
    const byModel = await get<OutcomesBody>(`/outcomes?${range}&group_by=model`);
    expect(byModel.groups.map((g) => [g.key, g.spend_usd, g.successes])).toEqual(costPerOutcome({ spend: spendOf(requests), requests, outcomes }).byModel.map((g) => [g.key, g.spendUsd, g.successes]));
    const byWeek = await get<OutcomesBody>(`/outcomes?${range}&group_by=week`);
    expect(byWeek.groups.map((g) => [g.key, g.requests, g.spend_usd, g.successes])).toEqual([['2026-W10', 2, 1.5, 1], ['2026-W11', 4, 3, 2]]);
    // x1's only outcome is a score of 0.3: a failure at the default 0.5, a success at 0.25 (b1's 0.3 was overridden).
    const low = await get<OutcomesBody>(`/outcomes?${range}&score_threshold=0.25`);
    expect([low.total.successes, low.total.failures, low.groups.find((g) => g.key === 'qa')?.cost_per_success_usd]).toEqual([4, 0, 0.75]);
  });
});

describe('GET /forecast', () => {
  it('forecasts the total and each feature from the daily ledger spend, as forecastSpend does', async () => {
    const body = await get<ForecastBody>(`/forecast?${range}&expected=2.5`);
    expect(body).toMatchObject({ as_of: '2026-03-14', multipliers: { conservative: 1.3, expected: 2.5, aggressive: 2.75 } });
    expect(body.series.map((s) => [s.series, s.feature])).toEqual([['total', null], ['feature', 'sum'], ['feature', 'qa'], ['feature', null]]);
    const total = body.series[0];
    if (total === undefined) throw new Error('no total series');
    expect(total.actual).toHaveLength(14);
    expect(total.actual.find((d) => d.day === '2026-03-10')?.usd).toBe(3);
    const points = [{ day: '2026-03-02', usd: 1 }, { day: '2026-03-03', usd: 0.5 }, { day: '2026-03-10', usd: 3 }];
    const [expected] = forecastSpend({ points, asOf: '2026-03-14', scenarios: { expected: 2.5 } });
    expect(total.run_rate_usd_per_day).toBe(expected?.runRateUsdPerDay);
    expect(total.month.actual_usd).toBe(4.5);
    expect(total.month.scenarios.expected?.total_usd).toBe(expected?.month.scenarios.expected.totalUsd);
    expect(total.quarter.baseline_total_usd).toBe(expected?.quarter.baselineTotalUsd);
    expect(total.fan).toHaveLength(expected?.fan.length ?? -1);
    expect(total.fan[0]).toEqual({ day: '2026-03-15', baseline_usd: expected?.fan[0]?.baselineUsd, low_usd: expected?.fan[0]?.lowUsd, high_usd: expected?.fan[0]?.highUsd, conservative_usd: expected?.fan[0]?.conservativeUsd, expected_usd: expected?.fan[0]?.expectedUsd, aggressive_usd: expected?.fan[0]?.aggressiveUsd });
  });

  it('gives each matching budget its run-out dates and says why the others are not forecast', async () => {
    const body = await get<ForecastBody>(`/forecast?${range}`);
    const budgets = body.budgets;
    const monthly = budgets.find((b) => b.budget === 'all-monthly');
    const [total] = forecastSpend({ points: [{ day: '2026-03-02', usd: 1 }, { day: '2026-03-03', usd: 0.5 }, { day: '2026-03-10', usd: 3 }], asOf: '2026-03-14' });
    const runOut = total && budgetRunOut(total, { limitUsd: 10, periodStart: '2026-03-01', periodEnd: '2026-03-31', spentSoFarUsd: 4.5 });
    expect(monthly).toMatchObject({ forecast: true, series: 'total', feature: null, limit_usd: 10, limit_overridden: false, period_start: '2026-03-01', period_end: '2026-03-31', spent_so_far_usd: 4.5, status: runOut?.status, remaining_usd: 5.5 });
    expect(monthly?.scenarios?.aggressive).toEqual({ daily_usd: runOut?.scenarios.aggressive.dailyUsd, runs_out_on: runOut?.scenarios.aggressive.runsOutOn, projected_period_usd: runOut?.scenarios.aggressive.projectedPeriodUsd });
    // The week of 2026-03-15 (a Sunday) started Monday 9 March: feature sum spent 3 of its 3.
    expect(budgets.find((b) => b.budget === 'sum-weekly')).toMatchObject({ forecast: true, feature: 'sum', period_start: '2026-03-09', period_end: '2026-03-15', spent_so_far_usd: 3, status: 'exhausted' });
    expect(budgets.filter((b) => b.budget === 'per-feature').map((b) => [b.feature, b.period_start, b.spent_so_far_usd])).toEqual([['sum', '2026-03-15', 0], ['qa', '2026-03-15', 0]]);
    for (const name of ['per-user', 'hourly', 'tokens']) expect(budgets.find((b) => b.budget === name)).toMatchObject({ forecast: false, reason: expect.any(String) });
    expect((await get<ForecastBody>(`/forecast?${range}&tz=Europe/Paris`)).budgets.find((b) => b.budget === 'all-monthly')?.reason).toMatch(/tz=UTC/);
  });
});

describe('GET /whales', () => {
  it('reports margin, whales, trend and heaviest sessions from plans and ledger, as whaleReport does', async () => {
    const body = await get<WhalesBody>('/whales?month=2026-03&whale_share=0.2');
    const expected = whaleReport({
      plans: [{ name: 'basic', monthlyPriceUsd: 10 }, { name: 'pro', monthlyPriceUsd: 99, includedUsageUsd: 20 }],
      customerPlans: [{ customer: 'acme', plan: 'pro' }, { customer: 'beta', plan: 'basic' }],
      monthlyCosts: [{ customer: 'acme', month: '2026-02', costUsd: 5 }, { customer: 'acme', month: '2026-03', costUsd: 1.5 }, { customer: 'beta', month: '2026-03', costUsd: 3 }, { customer: 'gamma', month: '2026-03', costUsd: 0 }],
      sessions: [{ customer: 'acme', session: 's1', costUsd: 1.5, requests: 2 }, { customer: 'beta', session: 's2', costUsd: 1, requests: 1 }],
      month: '2026-03',
      whaleShare: 0.2,
    });
    expect(body.totals).toEqual({ revenue_usd: 109, cost_usd: 4.5, cost_of_customers_without_plan_usd: 0, whales: 1, customers_without_plan: 1 });
    expect(body.data.map((c) => [c.customer, c.cost_usd, c.is_whale])).toEqual([['beta', 3, true], ['acme', 1.5, false], ['gamma', 0, null]]);
    const beta = expected.customers[0];
    expect(body.data[0]).toMatchObject({ plan: 'basic', plan_status: 'ok', revenue_usd: 10, margin_usd: beta?.marginUsd, whale_threshold_usd: 2, heaviest_sessions: [{ session: 's2', cost_usd: 1, requests: 1, share_of_customer_cost: 1 / 3 }] });
    expect(body.data[1]?.trend).toEqual({ previous_month_cost_usd: 5, change_usd: -3.5, change_pct: -0.7, slope_usd_per_month: expected.customers[1]?.trend.slopeUsdPerMonth, months: [{ month: '2026-01', cost_usd: 0 }, { month: '2026-02', cost_usd: 5 }, { month: '2026-03', cost_usd: 1.5 }] });
    expect((await get<WhalesBody>('/whales?month=2026-03')).totals.whales).toBe(0);
    const paged = await get<WhalesBody>('/whales?month=2026-03&limit=2');
    expect(paged.data).toHaveLength(2);
    expect((await get<WhalesBody>(`/whales?month=2026-03&limit=2&cursor=${paged.next_cursor}`)).data.map((c) => c.customer)).toEqual(['gamma']);
  });
});

describe('GET /waste', () => {
  it('sums retries, loop repeats, tripped sessions and lost prefixes from the recorded rows, as wasteReport does', async () => {
    const body = await get<WasteBody>(`/waste?${range}`);
    const kind = (list: Kind[], name: string) => list.find((k) => k.kind === name);
    expect(kind(body.waste, 'retries')).toEqual({ kind: 'retries', usd: 0.25, count: 1, unpriced: 0, breakdown: [{ key: 'upstream_server_error', usd: 0.25, count: 1 }] });
    expect(kind(body.waste, 'loop_repeats')).toMatchObject({ usd: 0.5, breakdown: [{ key: 'identical_requests', usd: 0.5, count: 1 }] });
    expect(kind(body.waste, 'breaker_sessions')).toMatchObject({ usd: 1, count: 1 });
    expect(kind(body.waste, 'uncached_prefixes')).toMatchObject({ usd: 0.1, count: 1 });
    expect(body.stopped_by_breakers).toEqual({ usd: 0.4, trips: 1, sessions: 1, unknown: 0 });
    expect(kind(body.savings, 'exact_cache')).toMatchObject({ usd: 0.8, count: 1 });
    expect(kind(body.savings, 'prompt_cache')?.usd).toBeCloseTo(0.2, 12);
    expect(kind(body.savings, 'routing')).toMatchObject({ usd: 0, count: 0 });
    const expected = wasteReport({
      attempts: [{ requestId: 'b2', attempt: 1, status: 500, errorCode: 'upstream_server_error', costUsd: 0.25, session: 's2' }, { requestId: 'b2', attempt: 2, status: 200, errorCode: null, costUsd: 0.75, session: 's2' }, { requestId: 'a2', attempt: 1, status: 200, errorCode: null, costUsd: 0.5, session: 's1' }],
      repeats: [{ requestId: 'a2', reason: 'identical_requests' }],
      breakerSessions: [{ session: 's2', costBeforeTripUsd: 1, trips: 1, stoppedUsd: 0.4 }],
      uncachedPrefixes: [{ day: '2026-03-05', prefix: 'qa', lostUsd: 0.1 }],
      cacheSavings: [{ kind: 'exact_cache', rows: 1, uncachedUsd: 0.8, costUsd: 0 }, { kind: 'prompt_cache', rows: 1, uncachedUsd: 1.2, costUsd: 1 }],
      otherSavings: [{ kind: 'routing', savedUsd: 0, rows: 0 }],
    });
    expect(body.totals).toEqual({ waste_usd: expected.totals.wasteUsd, overlap_usd: 0.25, saved_usd: expected.totals.savedUsd });
    expect(body.totals.waste_usd).toBeCloseTo(1.6, 12);
    expect((await get<{ by_source: { exact: { saved_usd: number } } }>(`/savings?${range}`)).by_source.exact.saved_usd).toBe(kind(body.savings, 'exact_cache')?.usd);
  });
});

describe('auth and parameters', () => {
  const paths = ['/outcomes', '/forecast', '/whales', '/waste'];
  it('refuses a missing or wrong admin token on every analytics endpoint', async () => {
    for (const path of paths) {
      expect((await failure(path, null)).status, path).toBe(401);
      expect((await failure(path, 'wrong')).error.code, path).toBe('unauthenticated');
    }
  });

  it('answers 400 naming each bad parameter', async () => {
    const cases: Array<[string, string]> = [
      ['/outcomes?group_by=team', 'group_by'], ['/outcomes?score_threshold=1.5', 'score_threshold'], ['/outcomes?score_threshold=abc', 'score_threshold'],
      ['/outcomes?from=2026-03-10&to=2026-03-01', 'from'], ['/outcomes?tz=Mars/Olympus', 'tz'], ['/outcomes?limit=5', 'limit'],
      ['/forecast?conservative=0', 'conservative'], ['/forecast?expected=-1', 'expected'], ['/forecast?aggressive=1e3', 'aggressive'], ['/forecast?to=yesterday', 'to'], ['/forecast?from=2026-03-10&to=2026-03-01', 'from'],
      ['/whales?month=2026-13', 'month'], ['/whales?month=March', 'month'], ['/whales?whale_share=0', 'whale_share'], ['/whales?trend_months=1', 'trend_months'], ['/whales?top_sessions=101', 'top_sessions'], ['/whales?cursor=zzz', 'cursor'],
      ['/waste?from=2026-02-30', 'from'], ['/waste?group_by=feature', 'group_by'],
    ];
    for (const [path, param] of cases) {
      const answer = await failure(path);
      expect(answer.status, path).toBe(400);
      expect(answer.error.param, path).toBe(param);
      expect(answer.error.message.startsWith(`${param}: `), path).toBe(true);
    }
  });
});
