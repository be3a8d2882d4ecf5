/**
 * Spend forecast per series (a feature, a team, or the total): a baseline (robust trend + weekly pattern, see
 * baseline-fit.ts) projected to the end of the month and of the quarter, and three scenarios that multiply the
 * current run rate. Input: daily spend already bucketed in the operator's time zone (what SQL GROUP BY day returns).
 *
 * Definitions (docs/analytics.md):
 * - History of a series: from its first day with a point to `asOf` inclusive; a day without a point spent 0. Points
 *   after `asOf` are ignored; several points for the same day and series are added.
 * - Run rate: mean daily spend of the last `runRateDays` (default 7) days of history ending on `asOf` (fewer when
 *   the history is shorter; 0 with no history). Raw spend: no outlier is removed from it.
 * - Scenario k: from the day after `asOf`, every day spends multiplier(k) x run rate (a step to a new daily rate, not
 *   a ramp), so scenario total = actual so far + multiplier x run rate x remaining days.
 * - Periods: the calendar month and calendar quarter that contain the day after `asOf` (the first projected day).
 */
import { roundUsd } from '../pricing/compute-cost.js';
import { baselineAt, fitBaseline, type BaselineFit } from './baseline-fit.js';
import { addDays, dayNumber, dayString, endOfMonth, endOfQuarter, isoWeekday, startOfMonth, startOfQuarter } from './calendar.js';

export interface DailySpendPoint {
  day: string;
  usd: number;
  /** Feature name, team, ... or omitted for the total. */
  series?: string;
}

export const scenarioNames = ['conservative', 'expected', 'aggressive'] as const;
export type ScenarioName = (typeof scenarioNames)[number];
export type ScenarioMultipliers = Record<ScenarioName, number>;

/** The budgeting literature's framing: ~1.3x, ~2x, 2.5-3x the current run rate. */
export const defaultScenarioMultipliers: ScenarioMultipliers = { conservative: 1.3, expected: 2.0, aggressive: 2.75 };

export const TOTAL_SERIES = 'total';

export interface ForecastOptions {
  points: DailySpendPoint[];
  /** Last day of history (complete day), YYYY-MM-DD. */
  asOf: string;
  scenarios?: Partial<ScenarioMultipliers>;
  /** Series to report, in this order; default: every series present in `points` (sorted), or `total` if none. */
  series?: string[];
  /** Days of history the baseline is fitted on (default 42 = 6 weeks). */
  fitWindowDays?: number;
  /** Days the run rate averages (default 7). */
  runRateDays?: number;
  /** Half-width of the fan around the baseline, in robust standard deviations of the daily residual (default 1.96). */
  bandSigmas?: number;
}

export interface ScenarioProjection {
  multiplier: number;
  dailyUsd: number;
  remainingUsd: number;
  totalUsd: number;
}

export interface PeriodProjection {
  start: string;
  end: string;
  /** Spend recorded from `start` to `asOf`. */
  actualUsd: number;
  /** Days after `asOf` up to `end`. */
  remainingDays: number;
  baselineRemainingUsd: number;
  /** actualUsd + baselineRemainingUsd. */
  baselineTotalUsd: number;
  scenarios: Record<ScenarioName, ScenarioProjection>;
}

export interface FanPoint {
  day: string;
  baselineUsd: number;
  lowUsd: number;
  highUsd: number;
  conservativeUsd: number;
  expectedUsd: number;
  aggressiveUsd: number;
}

export interface SeriesForecast {
  series: string;
  asOf: string;
  /** First day of history, null when the series has none. */
  firstDay: string | null;
  historyDays: number;
  runRateUsdPerDay: number;
  /** Days the run rate averaged. */
  runRateDays: number;
  multipliers: ScenarioMultipliers;
  baseline: (BaselineFit & { windowStart: string; windowEnd: string; outlierDays: string[] }) | null;
  month: PeriodProjection;
  quarter: PeriodProjection;
  /** One point per day from the day after `asOf` to the end of the quarter. */
  fan: FanPoint[];
}

/** The forecast of every series. Throws GatewayError invalid_request on a malformed day. */
export function forecastSpend(options: ForecastOptions): SeriesForecast[] {
  const asOfN = dayNumber(options.asOf);
  const bySeries = new Map<string, Map<number, number>>();
  const parsed = new Map<string, number>();
  for (const p of options.points) {
    const n = parsed.get(p.day) ?? dayNumber(p.day);
    parsed.set(p.day, n);
    if (n > asOfN) continue;
    const name = p.series ?? TOTAL_SERIES;
    const days = bySeries.get(name) ?? new Map<number, number>();
    days.set(n, (days.get(n) ?? 0) + p.usd);
    bySeries.set(name, days);
  }
  const names = options.series ?? (bySeries.size > 0 ? [...bySeries.keys()].sort() : [TOTAL_SERIES]);
  return names.map((name) => forecastSeries(name, bySeries.get(name) ?? new Map(), options));
}

/** Adds a `total` series (the sum of every series per day) to per-series points that have none. */
export function withTotal(points: DailySpendPoint[]): DailySpendPoint[] {
  const totals = new Map<string, number>();
  for (const p of points) totals.set(p.day, (totals.get(p.day) ?? 0) + p.usd);
  return [...points, ...[...totals].map(([day, usd]) => ({ day, usd: roundUsd(usd), series: TOTAL_SERIES }))];
}

function forecastSeries(series: string, days: Map<number, number>, options: ForecastOptions): SeriesForecast {
  const asOfN = dayNumber(options.asOf);
  const multipliers = { ...defaultScenarioMultipliers, ...options.scenarios };
  const firstN = days.size > 0 ? Math.min(...days.keys()) : null;
  const historyDays = firstN === null ? 0 : asOfN - firstN + 1;
  const spendOn = (n: number): number => days.get(n) ?? 0;
  const rateDays = Math.min(options.runRateDays ?? 7, historyDays);
  const runRate = rateDays === 0 ? 0 : sumDays(spendOn, asOfN - rateDays + 1, asOfN) / rateDays;
  const windowDays = Math.min(options.fitWindowDays ?? 42, historyDays);
  const windowStartN = asOfN - windowDays + 1;
  const fit = fitBaseline({
    values: Array.from({ length: windowDays }, (_, i) => spendOn(windowStartN + i)),
    firstWeekday: isoWeekday(windowStartN),
  });
  const baseline = fit === null ? null : {
    ...fit,
    windowStart: dayString(windowStartN),
    windowEnd: options.asOf,
    outlierDays: fit.outliers.map((i) => dayString(windowStartN + i)),
  };
  const firstProjected = addDays(options.asOf, 1);
  const daily = (n: number): number => (fit === null ? 0 : baselineAt(fit, n - asOfN, isoWeekday(n)));
  const period = (start: string, end: string): PeriodProjection =>
    projectPeriod({ start, end, asOfN, spendOn, daily, runRate, multipliers });
  const bandHalf = (options.bandSigmas ?? 1.96) * (fit?.residualScaleUsd ?? 0);
  const quarterEnd = endOfQuarter(firstProjected);
  const fan: FanPoint[] = [];
  for (let n = asOfN + 1; n <= dayNumber(quarterEnd); n++) {
    const base = daily(n);
    fan.push({
      day: dayString(n),
      baselineUsd: roundUsd(base),
      lowUsd: roundUsd(Math.max(0, base - bandHalf)),
      highUsd: roundUsd(base + bandHalf),
      conservativeUsd: roundUsd(runRate * multipliers.conservative),
      expectedUsd: roundUsd(runRate * multipliers.expected),
      aggressiveUsd: roundUsd(runRate * multipliers.aggressive),
    });
  }
  return {
    series,
    asOf: options.asOf,
    firstDay: firstN === null ? null : dayString(firstN),
    historyDays,
    runRateUsdPerDay: roundUsd(runRate),
    runRateDays: rateDays,
    multipliers,
    baseline,
    month: period(startOfMonth(firstProjected), endOfMonth(firstProjected)),
    quarter: period(startOfQuarter(firstProjected), quarterEnd),
    fan,
  };
}

interface PeriodInput {
  start: string;
  end: string;
  asOfN: number;
  spendOn: (n: number) => number;
  daily: (n: number) => number;
  runRate: number;
  multipliers: ScenarioMultipliers;
}

function projectPeriod(p: PeriodInput): PeriodProjection {
  const startN = dayNumber(p.start);
  const endN = dayNumber(p.end);
  const actual = sumDays(p.spendOn, startN, Math.min(p.asOfN, endN));
  const fromN = Math.max(p.asOfN + 1, startN);
  const remainingDays = Math.max(0, endN - fromN + 1);
  const baselineRemaining = sumDays(p.daily, fromN, endN);
  const scenario = (name: ScenarioName): ScenarioProjection => {
    const dailyUsd = p.runRate * p.multipliers[name];
    const remainingUsd = dailyUsd * remainingDays;
    return { multiplier: p.multipliers[name], dailyUsd: roundUsd(dailyUsd), remainingUsd: roundUsd(remainingUsd), totalUsd: roundUsd(actual + remainingUsd) };
  };
  return {
    start: p.start,
    end: p.end,
    actualUsd: roundUsd(actual),
    remainingDays,
    baselineRemainingUsd: roundUsd(baselineRemaining),
    baselineTotalUsd: roundUsd(actual + baselineRemaining),
    scenarios: { conservative: scenario('conservative'), expected: scenario('expected'), aggressive: scenario('aggressive') },
  };
}

function sumDays(value: (n: number) => number, from: number, to: number): number {
  let total = 0;
  for (let n = from; n <= to; n++) total += value(n);
  return total;
}
