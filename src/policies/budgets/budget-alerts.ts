/**
 * Budget alerts, computed from the spend updates the budget policy emits after every settle (BudgetSpendUpdate).
 *
 * Thresholds: each fraction in `budget.alerts` fires ONCE per (budget, scope value, period, threshold, unit), unit
 * being `usd` (of limit_usd) or `tokens` (of limit_tokens). A jump past several thresholds fires each of them, lowest
 * first. Calendar and lifetime periods are identified by their start; a rolling budget has no fixed period, so a
 * threshold fires at most once per window length (it can fire again once the last firing is older than the window).
 *
 * Forecast (`forecast_alert`): the burn rate of the period so far, spent / elapsed, projected to the period's end.
 * When it would reach the limit before the end, one `budget_forecast` event per period says when (projectedAt, the
 * earliest of the USD and token projections). Only once the projection means something: at least 10% of the period
 * has elapsed, or 24 hours for periods longer than ten days (monthly: after one day). Never for lifetime and rolling
 * budgets (no end to project to), never once the limit is already reached (the block or threshold events say so).
 *
 * Fired markers: kept in memory, and across restarts in the event store: an alert stored for the same key (in
 * `details.alertKey`) at or after the period start counts as fired. The store is asked once per key per process,
 * only when a threshold is crossed, so the hot path stays a few comparisons. If the store cannot answer, the alert
 * fires (a duplicate is better than a missed alert) and the failure is logged.
 */
import type { BudgetConfig } from '../../spec/config/governance-schema.js';
import type { BudgetSpendUpdate, GovernanceEvent } from '../../spec/governance.js';
import type { EventStore } from '../../spec/ports.js';

/** The part of the server logger this module uses (policies do not import the server layer). */
export interface AlertLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Where fired markers survive a restart: the event store. */
export type FiredAlertStore = Pick<EventStore, 'alertFired'>;

export interface BudgetAlertsOptions {
  budgets: readonly BudgetConfig[];
  /** Stores the event (and logs it): fire and forget. */
  recordEvent: (event: GovernanceEvent) => void;
  /** Sends the event to the configured webhooks: fire and forget. */
  deliver: (event: GovernanceEvent) => void;
  logger: AlertLogger;
  now: () => number;
  newId: () => string;
  fired?: FiredAlertStore;
}

export interface BudgetAlerts {
  onSpend(update: BudgetSpendUpdate): void;
  /** Resolves once the fired-marker lookups started so far have finished (tests, shutdown). */
  idle(): Promise<void>;
}

type Unit = 'usd' | 'tokens';

/**
 * Where one scope value of a calendar or lifetime budget stands in its current period: how many thresholds (lowest
 * first) are handled per unit, and whether the forecast is. This is the hot path's whole cost: an update that crosses
 * nothing new is a Map lookup and a few comparisons, without building a key.
 */
interface ScopeState {
  periodStart: number;
  periodEnd: number;
  usd: number;
  tokens: number;
  forecast: boolean;
}

/** Whether `spent` reaches the threshold at `level` (a tolerance for float sums such as 0.1 + 0.2). */
const reaches = (spent: number, limit: number | null, thresholds: readonly number[], level: number): boolean =>
  limit !== null && limit > 0 && level < thresholds.length && spent / limit >= (thresholds[level] ?? Infinity) - 1e-12;

/** Fired (epoch ms of the firing) or being looked up in the store. */
type Mark = { firedAt: number; until: number } | { checking: true; until: number };

const HOUR = 3_600_000;
/** Markers are swept every this many updates (entries of ended periods are dropped). */
const SWEEP_EVERY = 4_096;

/** Minimum elapsed time before a forecast: 10% of the period, at most 24 hours (documented above). */
export const forecastMinElapsed = (periodMs: number): number => Math.min(periodMs * 0.1, 24 * HOUR);

const money = (value: number): string => `$${value >= 1 ? value.toFixed(2) : value.toPrecision(3)}`;
const amount = (unit: Unit, value: number): string => (unit === 'usd' ? money(value) : `${Math.round(value).toLocaleString('en-US')} tokens`);
const iso = (at: number): string => (Number.isFinite(at) ? new Date(at).toISOString() : 'never');
const percent = (fraction: number): string => `${Math.round(fraction * 1_000) / 10}%`;
const scopeText = (scope: string): string => (scope === '' ? '' : ` (${scope})`);

export function createBudgetAlerts(options: BudgetAlertsOptions): BudgetAlerts {
  const budgets = new Map<string, { config: BudgetConfig; thresholds: number[]; scopes: Map<string, ScopeState> }>(
    options.budgets.map((config) => [config.name, { config, thresholds: [...new Set(config.alerts)].sort((a, b) => a - b), scopes: new Map() }]),
  );
  const marks = new Map<string, Mark>();
  const pending = new Set<Promise<void>>();
  let updates = 0;

  const fire = (key: string, event: GovernanceEvent, until: number): void => {
    marks.set(key, { firedAt: event.at, until });
    try {
      options.recordEvent(event);
    } catch (error) {
      options.logger.error('budget alert: recording the event failed', { budget: event.name, error: String(error) });
    }
    try {
      options.deliver(event);
    } catch (error) {
      options.logger.error('budget alert: delivery failed', { budget: event.name, error: String(error) });
    }
  };

  /** Fires unless already fired at or after `since` (this process, or the store for a key not seen yet). */
  const maybeFire = (key: string, since: number, until: number, makeEvent: () => GovernanceEvent): void => {
    const mark = marks.get(key);
    if (mark !== undefined && ('checking' in mark || mark.firedAt >= since)) return;
    const store = options.fired;
    if (store === undefined || mark !== undefined) return fire(key, makeEvent(), until);
    marks.set(key, { checking: true, until });
    const event = makeEvent();
    const lookup = store
      .alertFired({ name: event.name, alertKey: key, since })
      .then(
        (already) => (already ? void marks.set(key, { firedAt: event.at, until }) : fire(key, event, until)),
        (error: unknown) => {
          options.logger.error('budget alert: cannot read fired alerts, firing anyway', { budget: event.name, error: String(error) });
          fire(key, event, until);
        },
      )
      .finally(() => pending.delete(lookup));
    pending.add(lookup);
  };

  const sweep = (now: number): void => {
    for (const [key, mark] of marks) if (mark.until < now) marks.delete(key);
    for (const budget of budgets.values()) for (const [scope, state] of budget.scopes) if (state.periodEnd < now) budget.scopes.delete(scope);
  };

  return {
    onSpend(update) {
      const budget = budgets.get(update.budget);
      if (budget === undefined) return;
      const { config, thresholds } = budget;
      if (++updates % SWEEP_EVERY === 0) sweep(update.at);
      const rolling = config.period === 'rolling';
      let state: ScopeState | undefined;
      if (!rolling) {
        state = budget.scopes.get(update.scope);
        if (state === undefined || state.periodStart !== update.periodStart) {
          state = { periodStart: update.periodStart, periodEnd: update.periodEnd, usd: 0, tokens: 0, forecast: false };
          budget.scopes.set(update.scope, state);
        }
        const due =
          reaches(update.spentUsd, update.limitUsd, thresholds, state.usd) ||
          reaches(update.spentTokens, update.limitTokens, thresholds, state.tokens) ||
          (!state.forecast && config.forecast_alert && Number.isFinite(update.periodEnd) && update.at - update.periodStart >= forecastMinElapsed(update.periodEnd - update.periodStart));
        if (!due) return;
      }
      const window = config.window ?? 0;
      // Rolling: the key has no period and the marker lasts one window; otherwise the period start identifies it.
      const since = rolling ? update.at - window : update.periodStart;
      const period = rolling ? 'rolling' : String(update.periodStart);
      const until = rolling ? update.at + window : update.periodEnd;
      const periodEnd = rolling ? null : Number.isFinite(update.periodEnd) ? update.periodEnd : null;
      const base = { period: config.period, periodStart: rolling ? update.at - window : update.periodStart, periodEnd, projectedAt: null };

      for (const unit of ['usd', 'tokens'] as const) {
        const limit = unit === 'usd' ? update.limitUsd : update.limitTokens;
        if (limit === null || limit <= 0) continue;
        const spent = unit === 'usd' ? update.spentUsd : update.spentTokens;
        for (let level = state?.[unit] ?? 0; reaches(spent, limit, thresholds, level); level += 1) {
          const threshold = thresholds[level] ?? 1;
          if (state !== undefined) state[unit] = level + 1;
          const key = `${update.budget}|${update.scope}|${period}|${threshold}|${unit}`;
          maybeFire(key, since, until, () => ({
            id: options.newId(),
            at: update.at,
            kind: 'budget_alert',
            name: update.budget,
            scope: update.scope,
            session: null,
            requestId: null,
            reason:
              `budget ${update.budget}${scopeText(update.scope)} reached ${percent(threshold)} of its ${amount(unit, limit)} ${config.period} limit: ` +
              `${amount(unit, spent)} spent${periodEnd === null ? '' : `, resets ${iso(periodEnd)}`}`,
            costUsd: update.spentUsd,
            details: { alertKey: key, threshold, unit, limit, spent, ...base },
          }));
        }
      }

      if (!config.forecast_alert || rolling || !Number.isFinite(update.periodEnd)) return;
      const elapsed = update.at - update.periodStart;
      const length = update.periodEnd - update.periodStart;
      if (elapsed <= 0 || elapsed < forecastMinElapsed(length)) return;
      let earliest: { unit: Unit; limit: number; spent: number; projectedAt: number } | null = null;
      for (const unit of ['usd', 'tokens'] as const) {
        const limit = unit === 'usd' ? update.limitUsd : update.limitTokens;
        const spent = unit === 'usd' ? update.spentUsd : update.spentTokens;
        if (limit === null || spent <= 0 || spent >= limit) continue;
        const projectedAt = Math.ceil(update.at + ((limit - spent) * elapsed) / spent);
        if (projectedAt < update.periodEnd && (earliest === null || projectedAt < earliest.projectedAt)) earliest = { unit, limit, spent, projectedAt };
      }
      if (earliest === null) return;
      if (state !== undefined) state.forecast = true;
      const found = earliest;
      const key = `${update.budget}|${update.scope}|${period}|forecast`;
      maybeFire(key, since, until, () => ({
        id: options.newId(),
        at: update.at,
        kind: 'budget_forecast',
        name: update.budget,
        scope: update.scope,
        session: null,
        requestId: null,
        reason:
          `budget ${update.budget}${scopeText(update.scope)} is on course to reach its ${amount(found.unit, found.limit)} ${config.period} limit ` +
          `on ${iso(found.projectedAt)}, before the period ends ${iso(update.periodEnd)} (${amount(found.unit, found.spent)} spent so far)`,
        costUsd: update.spentUsd,
        details: { alertKey: key, threshold: null, unit: found.unit, limit: found.limit, spent: found.spent, ...base, projectedAt: found.projectedAt },
      }));
    },
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
