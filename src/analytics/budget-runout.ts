/**
 * When would a budget run out? For the baseline and each scenario of a series forecast, the first day on which the
 * cumulative spend of the budget period reaches the limit: spentSoFar (as of `asOf`) plus the projected daily spend of
 * every day from the day after `asOf` (or the period's start, if later) through that day. Null when the limit is not
 * reached by the period's last day. A budget already at or over its limit is `exhausted` with runsOutOn = null.
 */
import { roundUsd } from '../pricing/compute-cost.js';
import { baselineAt } from './baseline-fit.js';
import { dayNumber, dayString, isoWeekday } from './calendar.js';
import { type ScenarioName, type SeriesForecast } from './forecast.js';

export interface BudgetState {
  limitUsd: number;
  /** First and last day of the budget period, inclusive, YYYY-MM-DD. */
  periodStart: string;
  periodEnd: string;
  /** Spend of the period up to and including the forecast's `asOf`. */
  spentSoFarUsd: number;
}

export interface RunOut {
  /** Projected spend per day (constant for a scenario; the first projected day's value for the baseline). */
  dailyUsd: number;
  /** Day the cumulative spend reaches the limit, or null if it does not within the period. */
  runsOutOn: string | null;
  /** Projected spend of the whole period (spent so far + every remaining day). */
  projectedPeriodUsd: number;
}

export interface BudgetRunOut {
  status: 'exhausted' | 'active' | 'ended';
  remainingUsd: number;
  baseline: RunOut;
  scenarios: Record<ScenarioName, RunOut>;
}

/** Tolerance for "reached": float sums of exact cents must not miss the day by one ulp. */
const EPSILON = 1e-9;

export function budgetRunOut(forecast: SeriesForecast, budget: BudgetState): BudgetRunOut {
  const asOfN = dayNumber(forecast.asOf);
  const fromN = Math.max(asOfN + 1, dayNumber(budget.periodStart));
  const endN = dayNumber(budget.periodEnd);
  const remaining = budget.limitUsd - budget.spentSoFarUsd;
  const fit = forecast.baseline;
  const baselineDaily = (n: number): number => (fit === null ? 0 : baselineAt(fit, n - asOfN, isoWeekday(n)));
  const run = (daily: (n: number) => number): RunOut => walk({ fromN, endN, remaining, spent: budget.spentSoFarUsd, daily });
  const scenario = (name: ScenarioName): RunOut => {
    const rate = forecast.runRateUsdPerDay * forecast.multipliers[name];
    return run(() => rate);
  };
  return {
    status: remaining <= EPSILON ? 'exhausted' : fromN > endN ? 'ended' : 'active',
    remainingUsd: roundUsd(remaining),
    baseline: run(baselineDaily),
    scenarios: { conservative: scenario('conservative'), expected: scenario('expected'), aggressive: scenario('aggressive') },
  };
}

interface Walk {
  fromN: number;
  endN: number;
  remaining: number;
  spent: number;
  daily: (n: number) => number;
}

function walk(w: Walk): RunOut {
  let cumulative = 0;
  let runsOutOn: string | null = null;
  for (let n = w.fromN; n <= w.endN; n++) {
    cumulative += w.daily(n);
    if (runsOutOn === null && w.remaining > EPSILON && cumulative >= w.remaining - EPSILON) runsOutOn = dayString(n);
  }
  return { dailyUsd: roundUsd(w.fromN <= w.endN ? w.daily(w.fromN) : 0), runsOutOn, projectedPeriodUsd: roundUsd(w.spent + cumulative) };
}
