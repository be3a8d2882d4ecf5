/**
 * GET /forecast: per feature and in total, the actual daily spend, the baseline and its fan, month and quarter
 * projections and the three scenarios (forecastSpend), and each configured budget's run-out date per scenario
 * (budgetRunOut) where the budget's scope and period match a forecast series (docs/admin-api.md, docs/analytics.md).
 */
import { budgetRunOut, defaultScenarioMultipliers, forecastSpend, TOTAL_SERIES, type BudgetRunOut, type DailySpendPoint, type PeriodProjection, type RunOut, type ScenarioMultipliers, type SeriesForecast } from '../../analytics/index.js';
import { addDays, dayOfWeek, endOfMonth, startOfMonth } from '../../analytics/calendar.js';
import type { BudgetConfig } from '../../spec/config/governance-schema.js';
import { dailySpendByFeature, spendOf } from '../../stores/sqlite/admin-analytics.js';
import { loadBudgetOverrides } from '../../stores/sqlite/budget-overrides.js';
import { badParam } from './admin-error.js';
import { dayBuckets, decimal } from './analytics-params.js';
import { arr, fromParam, int, nullable, num, obj, ref, str, toParam, tzParam, type AdminContext, type AdminRoute, type JsonSchema } from './admin-route.js';
import { bucketBounds, formatLocal, parseInstant } from './admin-time.js';

const DAY_MS = 86_400_000;
/** Internal series names: features cannot collide with the total or with "no feature". */
const featureSeries = (feature: string | null): string => (feature === null ? 'none' : `feature:${feature}`);
const periodJson = (p: PeriodProjection): Record<string, unknown> => ({
  start: p.start,
  end: p.end,
  actual_usd: p.actualUsd,
  remaining_days: p.remainingDays,
  baseline_remaining_usd: p.baselineRemainingUsd,
  baseline_total_usd: p.baselineTotalUsd,
  scenarios: Object.fromEntries(Object.entries(p.scenarios).map(([name, s]) => [name, { multiplier: s.multiplier, daily_usd: s.dailyUsd, remaining_usd: s.remainingUsd, total_usd: s.totalUsd }])),
});

function seriesJson(f: SeriesForecast, feature: string | null, actual: Array<{ day: string; usd: number }>): Record<string, unknown> {
  const b = f.baseline;
  return {
    series: f.series === TOTAL_SERIES ? 'total' : 'feature',
    feature,
    first_day: f.firstDay,
    history_days: f.historyDays,
    run_rate_usd_per_day: f.runRateUsdPerDay,
    run_rate_days: f.runRateDays,
    actual,
    baseline: b === null ? null : { mode: b.mode, level_usd: b.levelUsd, slope_usd_per_day: b.slopeUsdPerDay, weekday_offsets_usd: b.weekdayOffsetsUsd, residual_scale_usd: b.residualScaleUsd, window_start: b.windowStart, window_end: b.windowEnd, outlier_days: b.outlierDays },
    month: periodJson(f.month),
    quarter: periodJson(f.quarter),
    fan: f.fan.map((p) => ({ day: p.day, baseline_usd: p.baselineUsd, low_usd: p.lowUsd, high_usd: p.highUsd, conservative_usd: p.conservativeUsd, expected_usd: p.expectedUsd, aggressive_usd: p.aggressiveUsd })),
  };
}

const runOutJson = (r: RunOut): Record<string, unknown> => ({ daily_usd: r.dailyUsd, runs_out_on: r.runsOutOn, projected_period_usd: r.projectedPeriodUsd });
const runOutResult = (r: BudgetRunOut): Record<string, unknown> => ({ status: r.status, remaining_usd: r.remainingUsd, baseline: runOutJson(r.baseline), scenarios: Object.fromEntries(Object.entries(r.scenarios).map(([name, s]) => [name, runOutJson(s)])) });

/** The budget period (first and last day) containing `day`, for the calendar periods a daily forecast can follow. */
function periodOf(period: 'daily' | 'weekly' | 'monthly', day: string): { start: string; end: string } {
  if (period === 'daily') return { start: day, end: day };
  if (period === 'weekly') {
    const start = addDays(day, -dayOfWeek(day));
    return { start, end: addDays(start, 6) };
  }
  return { start: startOfMonth(day), end: endOfMonth(day) };
}

/** The scope as [dimension, value] pairs; tags become `tag:<name>` entries. */
function scopeEntries(budget: BudgetConfig): Array<[string, string]> {
  const entries: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(budget.scope)) {
    if (typeof value === 'string') entries.push([name, value]);
    else if (value !== undefined) for (const [tag, tagValue] of Object.entries(value)) entries.push([`tag:${tag}`, tagValue]);
  }
  return entries;
}

/** Why a budget cannot be set against a series, or the features (null = the total) it is forecast against. */
function budgetTargets(budget: BudgetConfig, timeZone: string, features: readonly (string | null)[]): { reason: string } | { targets: Array<string | null> } {
  if (budget.limit_usd === undefined) return { reason: 'the budget limits tokens only; the forecast is in USD' };
  if (budget.period !== 'daily' && budget.period !== 'weekly' && budget.period !== 'monthly') return { reason: `period ${budget.period}: only daily, weekly and monthly budgets follow the daily forecast` };
  if (budget.timezone !== timeZone) return { reason: `the budget's periods are in ${budget.timezone}, the forecast's days in ${timeZone}: pass tz=${budget.timezone}` };
  const dimensions = scopeEntries(budget);
  if (dimensions.length === 0) return { targets: [null] };
  const [dimension, value] = dimensions[0] ?? ['', ''];
  if (dimensions.length > 1 || dimension !== 'feature') return { reason: `scoped by ${dimensions.map(([name]) => name).join(', ')}: only global and per-feature budgets match a forecast series (total, feature)` };
  return { targets: value === '*' ? features.filter((feature) => feature !== null) : [value] };
}

async function forecast(context: AdminContext): Promise<unknown> {
  const timeZone = context.query.timeZone(context.deps.timezone);
  const [todayStart] = bucketBounds({ from: context.now, to: context.now + 1, interval: 'day', timeZone });
  const toText = context.query.string('to');
  const to = toText === undefined ? (todayStart ?? context.now) : parseInstant(toText, timeZone, 'to');
  const fromText = context.query.string('from');
  const from = fromText === undefined ? to - 90 * DAY_MS : parseInstant(fromText, timeZone, 'from');
  if (from >= to) throw badParam('from', `expected an instant before to (${toText ?? 'today'}), got ${JSON.stringify(fromText ?? 'the default')}`);
  const multipliers: ScenarioMultipliers = {
    conservative: decimal(context.query, 'conservative', { min: 0, max: 100, fallback: defaultScenarioMultipliers.conservative, exclusiveMin: true }),
    expected: decimal(context.query, 'expected', { min: 0, max: 100, fallback: defaultScenarioMultipliers.expected, exclusiveMin: true }),
    aggressive: decimal(context.query, 'aggressive', { min: 0, max: 100, fallback: defaultScenarioMultipliers.aggressive, exclusiveMin: true }),
  };
  const { bounds, days } = dayBuckets(from, to, timeZone);
  const asOf = days[days.length - 1] ?? formatLocal(from, timeZone).slice(0, 10);
  const cells = dailySpendByFeature(context.deps.db, { range: { since: from, until: to }, dayBounds: bounds });
  const byFeature = new Map<string | null, number[]>();
  for (const cell of cells) {
    const series = byFeature.get(cell.feature) ?? days.map(() => 0);
    series[cell.bucket] = (series[cell.bucket] ?? 0) + cell.usd;
    byFeature.set(cell.feature, series);
  }
  const total = days.map((_, index) => [...byFeature.values()].reduce((sum, series) => sum + (series[index] ?? 0), 0));
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const features = [...byFeature.keys()].sort((a, b) => sum(byFeature.get(b) ?? []) - sum(byFeature.get(a) ?? []) || String(a).localeCompare(String(b)));
  const points: DailySpendPoint[] = [];
  const pushSeries = (series: string, values: number[]) => values.forEach((usd, index) => usd !== 0 && points.push({ day: days[index] ?? asOf, usd, series }));
  pushSeries(TOTAL_SERIES, total);
  for (const feature of features) pushSeries(featureSeries(feature), byFeature.get(feature) ?? []);
  const names = [TOTAL_SERIES, ...features.map(featureSeries)];
  const forecasts = new Map(forecastSpend({ points, asOf, scenarios: multipliers, series: names }).map((f) => [f.series, f]));
  const actualOf = (values: number[]) => days.map((day, index) => ({ day, usd: values[index] ?? 0 }));
  const series = [{ feature: null, name: TOTAL_SERIES, values: total }, ...features.map((feature) => ({ feature, name: featureSeries(feature), values: byFeature.get(feature) ?? [] }))];
  const emptyForecast = (): SeriesForecast[] => forecastSpend({ points: [], asOf, scenarios: multipliers, series: ['empty'] });
  const forecastOf = (feature: string | null): SeriesForecast | undefined => forecasts.get(feature === null ? TOTAL_SERIES : featureSeries(feature)) ?? emptyForecast()[0];
  return {
    from: formatLocal(from, timeZone),
    to: formatLocal(to, timeZone),
    tz: timeZone,
    as_of: asOf,
    multipliers,
    series: series.flatMap((s) => {
      const found = forecasts.get(s.name);
      return found === undefined ? [] : [seriesJson(found, s.feature, actualOf(s.values))];
    }),
    budgets: context.deps.budgets.flatMap((budget) => budgetForecast({ context, budget, timeZone, asOf, to, features, forecastOf })),
  };
}

interface BudgetInput {
  context: AdminContext;
  budget: BudgetConfig;
  timeZone: string;
  asOf: string;
  /** End of the history: spend so far is counted up to here. */
  to: number;
  features: readonly (string | null)[];
  forecastOf: (feature: string | null) => SeriesForecast | undefined;
}

/** One entry per series the budget is forecast against, or one `forecast: false` entry with the reason. */
function budgetForecast(input: BudgetInput): Array<Record<string, unknown>> {
  const { budget, timeZone, asOf } = input;
  const scopeText = scopeEntries(budget).map(([name, value]) => `${name}=${value}`).join(',');
  const head = { budget: budget.name, period: budget.period };
  const found = budgetTargets(budget, timeZone, input.features);
  if ('reason' in found) return [{ ...head, scope: scopeText, forecast: false, reason: found.reason }];
  const override = loadBudgetOverrides(input.context.deps.db).limits.find((entry) => entry.name === budget.name)?.limitUsd ?? null;
  const limitUsd = override ?? budget.limit_usd ?? 0;
  const period = periodOf(budget.period === 'daily' || budget.period === 'weekly' ? budget.period : 'monthly', addDays(asOf, 1));
  return found.targets.flatMap((feature) => {
    const seriesForecast = input.forecastOf(feature);
    if (seriesForecast === undefined) return [];
    const since = parseInstant(period.start, timeZone, 'from');
    const spent = since < input.to ? spendOf(input.context.deps.db, { range: { since, until: input.to }, ...(feature === null ? {} : { feature }) }) : 0;
    const result = budgetRunOut(seriesForecast, { limitUsd, periodStart: period.start, periodEnd: period.end, spentSoFarUsd: spent });
    return [{
      ...head,
      scope: feature === null ? '' : `feature=${feature}`,
      forecast: true,
      series: feature === null ? 'total' : 'feature',
      feature,
      limit_usd: limitUsd,
      limit_overridden: override !== null,
      period_start: period.start,
      period_end: period.end,
      spent_so_far_usd: spent,
      ...runOutResult(result),
    }];
  });
}

const scenarioSchema = (item: JsonSchema): JsonSchema => obj({ conservative: item, expected: item, aggressive: item });
const periodSchema = obj({ start: str(), end: str(), actual_usd: num(), remaining_days: int(), baseline_remaining_usd: num(), baseline_total_usd: num(), scenarios: scenarioSchema(obj({ multiplier: num(), daily_usd: num(), remaining_usd: num(), total_usd: num() })) });
const runOutSchema = obj({ daily_usd: num(), runs_out_on: nullable(str('The day the limit is reached; null if not within the period.')), projected_period_usd: num() });
const seriesSchema = obj({
  series: { type: 'string', enum: ['total', 'feature'] },
  feature: nullable(str('null: the total, or requests without a feature.')),
  first_day: nullable(str()),
  history_days: int(),
  run_rate_usd_per_day: num(),
  run_rate_days: int(),
  actual: arr(obj({ day: str(), usd: num() })),
  baseline: nullable({ type: 'object', properties: { mode: { type: 'string', enum: ['flat', 'trend', 'trend_weekly'] }, level_usd: num(), slope_usd_per_day: num(), weekday_offsets_usd: nullable(arr(num())), residual_scale_usd: num(), window_start: str(), window_end: str(), outlier_days: arr(str()) } }),
  month: ref('ForecastPeriod'),
  quarter: ref('ForecastPeriod'),
  fan: arr(obj({ day: str(), baseline_usd: num(), low_usd: num(), high_usd: num(), conservative_usd: num(), expected_usd: num(), aggressive_usd: num() })),
});
const budgetSchema: JsonSchema = {
  type: 'object',
  description: 'forecast true: the run-out of the budget against its series; false: why it is not forecast (reason).',
  properties: {
    budget: str(), scope: str(), period: str(), forecast: { type: 'boolean' }, reason: str(), series: str(), feature: nullable(str()), limit_usd: num(), limit_overridden: { type: 'boolean' },
    period_start: str(), period_end: str(), spent_so_far_usd: num(), status: { type: 'string', enum: ['active', 'exhausted', 'ended'] }, remaining_usd: num(), baseline: ref('RunOut'), scenarios: scenarioSchema(ref('RunOut')),
  },
  required: ['budget', 'scope', 'period', 'forecast'],
};

export const forecastSchemas: Record<string, JsonSchema> = { ForecastSeries: seriesSchema, ForecastPeriod: periodSchema, RunOut: runOutSchema, BudgetForecast: budgetSchema };

const multiplierParam = (name: string, fallback: number) => ({ name, description: `Scenario multiplier of the run rate, above 0 to 100 (default ${fallback}).`, schema: { type: 'number', exclusiveMinimum: 0, maximum: 100 } });

export const forecastRoute: AdminRoute = {
  method: 'GET',
  path: '/forecast',
  summary: 'Spend forecast per feature and in total: baseline, fan, month and quarter, scenarios, budget run-out dates',
  description: 'forecastSpend and budgetRunOut of docs/analytics.md over daily spend in tz. as_of = the last day of [from, to).',
  params: [fromParam('90 days before to'), toParam("today's local midnight in tz (the last complete day is as_of)"), tzParam, multiplierParam('conservative', defaultScenarioMultipliers.conservative), multiplierParam('expected', defaultScenarioMultipliers.expected), multiplierParam('aggressive', defaultScenarioMultipliers.aggressive)],
  response: obj({ from: str(), to: str(), tz: str(), as_of: str(), multipliers: scenarioSchema(num()), series: arr(ref('ForecastSeries')), budgets: arr(ref('BudgetForecast')) }),
  handle: forecast,
};
