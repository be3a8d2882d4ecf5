/**
 * GET /outcomes (cost per successful outcome), /whales (customers, plans and inference whales) and /waste (waste and
 * savings); GET /forecast is in forecast-routes.ts. SQL aggregates come from src/stores/sqlite/admin-analytics.ts and
 * every number from the pure functions of src/analytics (docs/analytics.md); this file parses the request and shapes
 * the JSON (docs/admin-api.md).
 */
import { costPerOutcome, wasteReport, whaleReport, type CustomerReport, type KindTotal, type OutcomeGroup } from '../../analytics/index.js';
import { addMonths } from '../../analytics/calendar.js';
import { cacheSavingsAggregates, coveredRequests, customerMonthCosts, heaviestSessions, outcomeSpendCells, outcomesOfRange, repeatFlags, retriedAttempts, trippedSessions, uncachedPrefixLosses } from '../../stores/sqlite/admin-analytics.js';
import { listCustomerPlans, listPlans } from '../../stores/sqlite/admin-plans.js';
import { routingSavings } from '../../stores/sqlite/admin-routing.js';
import { dayBuckets, decimal, month, monthBuckets } from './analytics-params.js';
import { arr, bool, cursorParam, fromParam, int, limitParam, nullable, num, obj, page, ref, str, toParam, tzParam, type AdminContext, type AdminRoute, type JsonSchema } from './admin-route.js';
import { formatLocal } from './admin-time.js';
import { pageOf } from './manage-routes.js';
import { forecastRoute, forecastSchemas } from './forecast-routes.js';

const groupJson = (g: OutcomeGroup): Record<string, unknown> => ({
  key: g.key,
  requests: g.requests,
  spend_usd: g.spendUsd,
  unpriced_rows: g.unpricedRows,
  requests_with_outcome: g.requestsWithOutcome,
  successes: g.successes,
  failures: g.failures,
  cost_per_success_usd: g.costPerSuccessUsd,
  success_rate: g.successRate,
});

const rangeOf = (context: AdminContext) => {
  const timeZone = context.query.timeZone(context.deps.timezone);
  const { from, to } = context.query.range({ timeZone, now: context.now });
  return { timeZone, from, to, head: { from: formatLocal(from, timeZone), to: formatLocal(to, timeZone), tz: timeZone } };
};

async function outcomes(context: AdminContext): Promise<unknown> {
  const { timeZone, from, to, head } = rangeOf(context);
  const groupBy = context.query.oneOf('group_by', ['feature', 'model', 'week'] as const, 'feature');
  const scoreThreshold = decimal(context.query, 'score_threshold', { min: 0, max: 1, fallback: 0.5 });
  const range = { since: from, until: to };
  const { bounds, days } = dayBuckets(from, to, timeZone);
  const dayOf = (bucket: number): string => days[bucket] ?? days[0] ?? '1970-01-01';
  const spend = outcomeSpendCells(context.deps.db, { range, dayBounds: bounds }).map((c) => ({ feature: c.feature, model: c.model, day: dayOf(c.bucket), requests: c.requests, spendUsd: c.spendUsd, unpricedRows: c.unpricedRows }));
  const requests = coveredRequests(context.deps.db, { range, dayBounds: bounds }).map((r) => ({ requestId: r.requestId, sessionId: r.sessionId, feature: r.feature, model: r.model, day: dayOf(r.bucket) }));
  const recorded = outcomesOfRange(context.deps.db, range).map((o) => ({ requestId: o.requestId ?? undefined, sessionId: o.sessionId ?? undefined, status: o.status ?? undefined, score: o.score ?? undefined }));
  const report = costPerOutcome({ spend, requests, outcomes: recorded, scoreThreshold });
  const groups = groupBy === 'feature' ? report.byFeature : groupBy === 'model' ? report.byModel : report.byWeek;
  return { ...head, group_by: groupBy, score_threshold: report.scoreThreshold, total_spend_usd: report.total.spendUsd, total: groupJson(report.total), groups: groups.map(groupJson), ignored_outcomes: report.ignoredOutcomes };
}

const customerJson = (c: CustomerReport): Record<string, unknown> => ({
  customer: c.customer,
  plan: c.plan,
  plan_status: c.planStatus,
  revenue_usd: c.revenueUsd,
  cost_usd: c.costUsd,
  margin_usd: c.marginUsd,
  margin_pct: c.marginPct,
  cost_share_of_revenue: c.costShareOfRevenue,
  whale_threshold_usd: c.whaleThresholdUsd,
  is_whale: c.isWhale,
  trend: {
    previous_month_cost_usd: c.trend.previousMonthCostUsd,
    change_usd: c.trend.changeUsd,
    change_pct: c.trend.changePct,
    slope_usd_per_month: c.trend.slopeUsdPerMonth,
    months: c.trend.months.map((m) => ({ month: m.month, cost_usd: m.costUsd })),
  },
  heaviest_sessions: c.heaviestSessions.map((s) => ({ session: s.session, cost_usd: s.costUsd, requests: s.requests, share_of_customer_cost: s.shareOfCustomerCost })),
});

async function whales(context: AdminContext): Promise<unknown> {
  const timeZone = context.query.timeZone(context.deps.timezone);
  const reportMonth = month(context.query, 'month', formatLocal(context.now, timeZone).slice(0, 7));
  const whaleShare = decimal(context.query, 'whale_share', { min: 0, max: 10, fallback: 0.5, exclusiveMin: true });
  const trendMonths = context.query.integer('trend_months', { min: 2, max: 24, fallback: 3 });
  const topSessions = context.query.integer('top_sessions', { min: 0, max: 100, fallback: 5 });
  const db = context.deps.db;
  const history = monthBuckets(addMonths(reportMonth, -(trendMonths - 1)), addMonths(reportMonth, 1), timeZone);
  const monthlyCosts = customerMonthCosts(db, { range: { since: history.from, until: history.to }, monthBounds: history.bounds }).map((r) => ({ customer: r.customer, month: history.months[r.bucket] ?? reportMonth, costUsd: r.costUsd }));
  const reportFrom = history.bounds[history.bounds.length - 2] ?? history.from;
  const plans = listPlans(db).map((p) => ({ name: p.name, monthlyPriceUsd: p.monthlyPriceUsd, ...(p.includedUsageUsd === null ? {} : { includedUsageUsd: p.includedUsageUsd }) }));
  const customerPlans = listCustomerPlans(db).map((c) => ({ customer: c.customer, plan: c.plan }));
  const options = { plans, customerPlans, monthlyCosts, month: reportMonth, whaleShare, trendMonths, topSessions };
  // Sessions are read for the customers of the requested page only: the order does not depend on them.
  const ranked = whaleReport({ ...options, sessions: [] });
  const shown = pageOf(ranked.customers, context).data.map((c) => c.customer);
  const sessions = topSessions === 0 || shown.length === 0 ? [] : heaviestSessions(db, { range: { since: reportFrom, until: history.to }, top: topSessions, customers: shown });
  const report = whaleReport({ ...options, sessions });
  const t = report.totals;
  return {
    month: report.month,
    tz: timeZone,
    whale_share: report.whaleShare,
    totals: { revenue_usd: t.revenueUsd, cost_usd: t.costUsd, cost_of_customers_without_plan_usd: t.costOfCustomersWithoutPlanUsd, whales: t.whales, customers_without_plan: t.customersWithoutPlan },
    ...pageOf(report.customers.map(customerJson), context),
  };
}

const kindJson = (k: KindTotal): Record<string, unknown> => ({ kind: k.kind, usd: k.usd, count: k.count, unpriced: k.unpriced, breakdown: k.breakdown.map((b) => ({ key: b.key, usd: b.usd, count: b.count })) });

async function waste(context: AdminContext): Promise<unknown> {
  const { from, to, head } = rangeOf(context);
  const db = context.deps.db;
  const range = { since: from, until: to };
  const repeats = repeatFlags(db, range);
  const breakerSessions = trippedSessions(db, range).map((s) => ({ session: s.session, costBeforeTripUsd: s.costBeforeTripUsd, trips: s.trips, stoppedUsd: s.stoppedUsd }));
  const routed = routingSavings(db, range).served;
  // Findings are kept per UTC day: the days [from, to) touches.
  const uncachedPrefixes = uncachedPrefixLosses(db, { fromDay: new Date(from).toISOString().slice(0, 10), toDay: new Date(to - 1).toISOString().slice(0, 10) });
  const report = wasteReport({
    attempts: retriedAttempts(db, { range, flagged: repeats.map((r) => r.requestId) }),
    repeats,
    breakerSessions,
    uncachedPrefixes,
    cacheSavings: cacheSavingsAggregates(db, range),
    // Rows served as routing decided: Σ(baseline_cost_usd - cost_total_usd) where both are known (docs/routing.md).
    otherSavings: [{ kind: 'routing', savedUsd: routed.savedUsd, rows: routed.rows }],
  });
  return {
    ...head,
    totals: { waste_usd: report.totals.wasteUsd, overlap_usd: report.totals.overlapUsd, saved_usd: report.totals.savedUsd },
    waste: report.wasteByKind.map(kindJson),
    savings: report.savingsByKind.map(kindJson),
    stopped_by_breakers: report.stoppedByBreakers,
    unmatched_repeats: report.unmatchedRepeats,
  };
}

const groupSchema = obj({ key: nullable(str()), requests: int(), spend_usd: num(), unpriced_rows: int('Rows with tokens but no price: their cost is not in spend_usd.'), requests_with_outcome: int(), successes: int(), failures: int(), cost_per_success_usd: nullable(num('spend_usd / successes')), success_rate: nullable(num()) });
const customerSchema = obj({
  customer: str(), plan: nullable(str()), plan_status: { type: 'string', enum: ['ok', 'no_plan', 'unknown_plan'] }, revenue_usd: nullable(num()), cost_usd: num(), margin_usd: nullable(num()), margin_pct: nullable(num()),
  cost_share_of_revenue: nullable(num()), whale_threshold_usd: nullable(num()), is_whale: nullable(bool()),
  trend: obj({ previous_month_cost_usd: num(), change_usd: num(), change_pct: nullable(num()), slope_usd_per_month: num(), months: arr(obj({ month: str(), cost_usd: num() })) }),
  heaviest_sessions: arr(obj({ session: str(), cost_usd: num(), requests: int(), share_of_customer_cost: nullable(num()) })),
});
const kindSchema = obj({ kind: str(), usd: num(), count: int(), unpriced: int('Items left out of usd: their cost is unknown.'), breakdown: arr(obj({ key: str(), usd: num(), count: int() })) });

export const analyticsSchemas: Record<string, JsonSchema> = { OutcomeGroup: groupSchema, WhaleCustomer: customerSchema, WasteKind: kindSchema, ...forecastSchemas };

const rangeParams = [fromParam('30 days before to'), toParam('now'), tzParam];

export const analyticsRoutes: AdminRoute[] = [
  {
    method: 'GET',
    path: '/outcomes',
    summary: 'Cost per successful outcome by feature, model or ISO week, next to total spend',
    description: 'Requests with ledger rows in [from, to), their cost, and the outcomes recorded for them or their session (POST /v1/jevons/outcomes, x-jevons-outcome). costPerOutcome of docs/analytics.md.',
    params: [...rangeParams, { name: 'group_by', description: 'feature (default) | model | week.', schema: { type: 'string', enum: ['feature', 'model', 'week'] } }, { name: 'score_threshold', description: 'An outcome with a score and no status succeeds at or above it, 0 to 1 (default 0.5).', schema: { type: 'number', minimum: 0, maximum: 1 } }],
    response: obj({ from: str(), to: str(), tz: str(), group_by: str(), score_threshold: num(), total_spend_usd: num(), total: ref('OutcomeGroup'), groups: arr(ref('OutcomeGroup')), ignored_outcomes: int() }),
    handle: outcomes,
  },
  forecastRoute,
  {
    method: 'GET',
    path: '/whales',
    summary: 'Customers, plans, margins and inference whales for one month',
    description: 'whaleReport of docs/analytics.md over the plans tables and the ledger; customers most cost first.',
    params: [
      { name: 'month', description: 'Report month YYYY-MM (default: the current month in tz).', schema: str() },
      tzParam,
      { name: 'whale_share', description: 'Share of the plan price above which a customer whose plan states no included usage is a whale, above 0 to 10 (default 0.5).', schema: { type: 'number', exclusiveMinimum: 0, maximum: 10 } },
      { name: 'trend_months', description: 'Months in the cost slope, 2 to 24 (default 3).', schema: { type: 'integer', minimum: 2, maximum: 24 } },
      { name: 'top_sessions', description: 'Heaviest sessions per customer, 0 to 100 (default 5).', schema: { type: 'integer', minimum: 0, maximum: 100 } },
      limitParam,
      cursorParam,
    ],
    response: { allOf: [page(ref('WhaleCustomer')), { type: 'object', properties: { month: str(), tz: str(), whale_share: num(), totals: obj({ revenue_usd: num(), cost_usd: num(), cost_of_customers_without_plan_usd: num(), whales: int(), customers_without_plan: int() }) } }] },
    handle: whales,
  },
  {
    method: 'GET',
    path: '/waste',
    summary: 'Waste (retries, loop repeats, breaker-stopped sessions, uncached prefixes) and savings (caches, routing)',
    description: 'wasteReport of docs/analytics.md: sums of recorded costs only. routing = Σ(baseline_cost_usd - cost_total_usd) over rows served as routing decided.',
    params: rangeParams,
    response: obj({ from: str(), to: str(), tz: str(), totals: obj({ waste_usd: num(), overlap_usd: num(), saved_usd: num() }), waste: arr(ref('WasteKind')), savings: arr(ref('WasteKind')), stopped_by_breakers: obj({ usd: num(), trips: int(), sessions: int(), unknown: int() }), unmatched_repeats: int() }),
    handle: waste,
  },
];
