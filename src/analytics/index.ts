/** Control-plane analytics: pure functions over aggregated ledger records (docs/analytics.md). */
export { forecastSpend, withTotal, defaultScenarioMultipliers, scenarioNames, TOTAL_SERIES } from './forecast.js';
export type { DailySpendPoint, FanPoint, ForecastOptions, PeriodProjection, ScenarioMultipliers, ScenarioName, ScenarioProjection, SeriesForecast } from './forecast.js';
export { budgetRunOut, type BudgetRunOut, type BudgetState, type RunOut } from './budget-runout.js';
export type { BaselineFit, FitMode } from './baseline-fit.js';
export { whaleReport } from './whales.js';
export type { CustomerMonthCost, CustomerPlan, CustomerReport, CustomerSessionCost, HeavySession, Plan, WhaleOptions, WhaleReport } from './whales.js';
export { wasteReport } from './waste.js';
export type { AttemptCost, BreakerSession, Breakdown, CacheKind, CacheSavingsAggregate, KindTotal, RepeatFlag, Saving, UncachedPrefixLoss, WasteInput, WasteReport } from './waste.js';
export { cacheKindOf, cacheSavingsOfRows, routingSavingsOfRows, type CacheRow, type RoutedRow } from './savings-rows.js';
export { costPerOutcome } from './outcomes.js';
export type { Outcome, OutcomeGroup, OutcomeOptions, OutcomeReport, RequestRef, SpendCell } from './outcomes.js';
