/**
 * Where every configured budget stands, from the ledger (the rollups where they apply), the overrides and the events
 * table: `jevons budgets list` and GET /admin/v1/budgets. One entry per budget, or per scope value seen this period
 * for `*` budgets: its limit, spend this period, remaining, the period in the budget's time zone and the alerts fired.
 */
import type { Database } from 'better-sqlite3';
import { calendarPeriod, wallClock } from '../../policies/budgets/budget-periods.js';
import type { BudgetConfig } from '../../spec/config/governance-schema.js';
import { loadBudgetOverrides, spendStart, type BudgetOverrides } from '../../stores/sqlite/budget-overrides.js';
import { budgetScopeSpend, scopeParts } from '../../stores/sqlite/budget-scope-spend.js';
import { createSqliteEventStore } from '../../stores/sqlite/event-store.js';

export interface BudgetListEntry {
  budget: string;
  /** `team=search` ('' global); null for a `*` budget with no traffic yet this period. */
  scope: string | null;
  period: BudgetConfig['period'];
  timezone: string;
  periodStart: number;
  /** null for lifetime and rolling budgets (no reset). */
  periodEnd: number | null;
  /** Spend counts from here: the period start, or a later `budgets reset`. */
  countedFrom: number;
  limitUsd: number | null;
  limitTokens: number | null;
  /** Whether the limits come from `budgets set` rather than jevons.yaml. */
  overridden: boolean;
  spentUsd: number;
  spentTokens: number;
  remainingUsd: number | null;
  remainingTokens: number | null;
  unpricedRows: number;
  action: BudgetConfig['action'];
  /** `70%`, `90% tokens`, `forecast`, in firing order. */
  alertsFired: string[];
}

/** The period containing `now`: calendar in the budget's time zone, rolling = the last window, lifetime = all time. */
export function periodOf(budget: BudgetConfig, now: number): { start: number; end: number } {
  if (budget.period === 'lifetime') return { start: 0, end: Number.POSITIVE_INFINITY };
  if (budget.period === 'rolling') return { start: now - (budget.window ?? 0), end: Number.POSITIVE_INFINITY };
  return calendarPeriod(budget.period, budget.timezone, now);
}

/** `2026-12-01 00:00 Europe/Paris`. */
export function localTime(at: number, timeZone: string): string {
  const clock = wallClock(timeZone, at);
  const two = (value: number) => String(value).padStart(2, '0');
  return `${clock.year}-${two(clock.month)}-${two(clock.day)} ${two(clock.hour)}:${two(clock.minute)} ${timeZone}`;
}

const alertLabel = (details: Record<string, unknown>, kind: string): string =>
  kind === 'budget_forecast' ? 'forecast' : `${typeof details.threshold === 'number' ? Math.round(details.threshold * 1_000) / 10 : '?'}%${details.unit === 'tokens' ? ' tokens' : ''}`;

export async function listBudgets(options: { db: Database; budgets: readonly BudgetConfig[]; now: number; overrides?: BudgetOverrides }): Promise<BudgetListEntry[]> {
  const overrides = options.overrides ?? loadBudgetOverrides(options.db);
  const events = createSqliteEventStore(options.db);
  const entries: BudgetListEntry[] = [];
  for (const budget of options.budgets) {
    const period = periodOf(budget, options.now);
    const override = overrides.limits.find((limit) => limit.name === budget.name);
    const limitUsd = override?.limitUsd ?? budget.limit_usd ?? null;
    const limitTokens = override?.limitTokens ?? budget.limit_tokens ?? null;
    const fired = new Map<string, string[]>();
    const alerts = await events.list({ kinds: ['budget_alert', 'budget_forecast'], name: budget.name, since: period.start, limit: 100_000 });
    for (const event of alerts.reverse()) {
      const scope = event.scope ?? '';
      fired.set(scope, [...(fired.get(scope) ?? []), alertLabel(event.details, event.kind)]);
    }
    const since = period.start;
    const until = Number.isFinite(period.end) ? period.end : options.now + 1;
    const wildcard = scopeParts(budget).some((part) => part.wanted === '*');
    const spends: Array<{ scope: string | null; spentUsd: number; spentTokens: number; unpricedRows: number; from: number }> = budgetScopeSpend(options.db, { budget, since, until }).map((spend) => {
      const from = spendStart(overrides, { name: budget.name, scope: spend.scope, periodStart: since });
      if (from === since) return { ...spend, from };
      const after = budgetScopeSpend(options.db, { budget, since: from, until, only: spend.scope })[0];
      return { scope: spend.scope, spentUsd: after?.spentUsd ?? 0, spentTokens: after?.spentTokens ?? 0, unpricedRows: after?.unpricedRows ?? 0, from };
    });
    if (spends.length === 0) {
      // No traffic yet: a `*` budget has no scope value to show; a fixed or global one shows its own at zero.
      const scope = wildcard ? null : scopeParts(budget).map((part) => `${part.label}=${part.wanted}`).join(',');
      spends.push({ scope, spentUsd: 0, spentTokens: 0, unpricedRows: 0, from: spendStart(overrides, { name: budget.name, scope: scope ?? '', periodStart: since }) });
    }
    spends.sort((a, b) => b.spentUsd - a.spentUsd || b.spentTokens - a.spentTokens || (a.scope ?? '').localeCompare(b.scope ?? ''));
    for (const spend of spends) {
      const scope = spend.scope;
      entries.push({
        budget: budget.name,
        scope,
        period: budget.period,
        timezone: budget.timezone,
        periodStart: period.start,
        periodEnd: budget.period === 'rolling' || !Number.isFinite(period.end) ? null : period.end,
        countedFrom: spend.from,
        limitUsd,
        limitTokens,
        overridden: override !== undefined,
        spentUsd: spend.spentUsd,
        spentTokens: spend.spentTokens,
        remainingUsd: limitUsd === null ? null : Math.max(0, limitUsd - spend.spentUsd),
        remainingTokens: limitTokens === null ? null : Math.max(0, limitTokens - spend.spentTokens),
        unpricedRows: spend.unpricedRows,
        action: budget.action,
        alertsFired: scope === null ? [] : (fired.get(scope) ?? []),
      });
    }
  }
  return entries;
}

/** A scope text that does not name a value of the budget's scope; the message says what is wrong. */
export class ScopeTextError extends Error {}

/**
 * `team=search,user=u-1` → the scope string of that value of `budget`, checked against its scope (`jevons budgets
 * reset --scope`, POST /admin/v1/budgets/{name}/reset). Throws a ScopeTextError saying what is wrong.
 */
export function parseBudgetScope(budget: BudgetConfig, text: string): string {
  const parts = scopeParts(budget);
  const given = new Map<string, string>();
  for (const piece of text.split(',')) {
    const at = piece.indexOf('=');
    const key = piece.slice(0, at).trim();
    if (at <= 0 || piece.slice(at + 1).trim() === '') throw new ScopeTextError(`expected dimension=value (e.g. team=search), got "${piece}"`);
    if (!parts.some((part) => part.label === key)) {
      throw new ScopeTextError(`budget ${budget.name} is not scoped by "${key}"${parts.length > 0 ? ` (its scope: ${parts.map((part) => `${part.label}=${part.wanted}`).join(', ')})` : ' (it is global: omit --scope)'}`);
    }
    given.set(key, piece.slice(at + 1).trim());
  }
  return parts
    .map((part) => {
      const value = given.get(part.label);
      if (value === undefined) throw new ScopeTextError(`give a value for ${part.label} too (budget ${budget.name} is scoped by ${parts.map((p) => p.label).join(', ')})`);
      if (part.wanted !== '*' && value !== part.wanted) throw new ScopeTextError(`budget ${budget.name} only covers ${part.label}=${part.wanted}, not "${value}"`);
      return `${part.label}=${value}`;
    })
    .join(',');
}

