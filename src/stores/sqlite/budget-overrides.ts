/**
 * What `jevons budgets set|reset` change on a running gateway (tables of migration 0004):
 * - `budget_overrides`: a limit replacing the one in jevons.yaml (USD and/or tokens; a NULL column keeps the
 *   configured value). It stays until `budgets set` is run again or the row is removed (`clearBudgetOverride`).
 * - `budget_resets`: the instant from which a budget's spend counts again, for one scope value (`team=search`) or ''
 *   (every scope value, or the global budget). Spend before it, in the same period, is ignored; the next period starts
 *   from zero as usual, so a reset never needs undoing.
 * The gateway reads both with `loadBudgetOverrides` (the poller in src/server/governance/budget-overrides-poller.ts).
 */
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import type { BudgetOverride, BudgetReset, BudgetOverrides } from '../../spec/governance.js';

export type { BudgetOverride, BudgetReset, BudgetOverrides } from '../../spec/governance.js';

const overrideRow = z
  .object({ name: z.string(), limit_usd: z.number().nullable(), limit_tokens: z.number().nullable(), updated_at: z.number() })
  .transform((r): BudgetOverride => ({ name: r.name, limitUsd: r.limit_usd, limitTokens: r.limit_tokens, updatedAt: r.updated_at }));
const resetRow = z
  .object({ name: z.string(), scope: z.string(), reset_at: z.number() })
  .transform((r): BudgetReset => ({ name: r.name, scope: r.scope, resetAt: r.reset_at }));

export function loadBudgetOverrides(db: Database): BudgetOverrides {
  return {
    limits: db.prepare('SELECT name, limit_usd, limit_tokens, updated_at FROM budget_overrides ORDER BY name').all().map((row) => overrideRow.parse(row)),
    resets: db.prepare('SELECT name, scope, reset_at FROM budget_resets ORDER BY name, scope').all().map((row) => resetRow.parse(row)),
  };
}

/** Sets the limit override of a budget; a null limit keeps the configured one. */
export function setBudgetOverride(db: Database, override: BudgetOverride): void {
  db.prepare(
    `INSERT INTO budget_overrides (name, limit_usd, limit_tokens, updated_at) VALUES (@name, @limitUsd, @limitTokens, @updatedAt)
     ON CONFLICT (name) DO UPDATE SET limit_usd = excluded.limit_usd, limit_tokens = excluded.limit_tokens, updated_at = excluded.updated_at`,
  ).run(override);
}

/** Removes the override of a budget (back to jevons.yaml); returns whether there was one. */
export function clearBudgetOverride(db: Database, name: string): boolean {
  return db.prepare('DELETE FROM budget_overrides WHERE name = ?').run(name).changes > 0;
}

/** Records a reset: spend of `name` (one scope value, or '' = all) counts from `resetAt`. */
export function resetBudget(db: Database, reset: BudgetReset): void {
  db.prepare(
    `INSERT INTO budget_resets (name, scope, reset_at) VALUES (@name, @scope, @resetAt)
     ON CONFLICT (name, scope) DO UPDATE SET reset_at = excluded.reset_at`,
  ).run(reset);
}

/**
 * The instant spend of `name` for `scope` counts from, given the period start: the latest reset that applies
 * (its own scope value or '') when it falls inside the period, else the period start.
 */
export function spendStart(overrides: BudgetOverrides, query: { name: string; scope: string; periodStart: number }): number {
  let start = query.periodStart;
  for (const reset of overrides.resets) {
    if (reset.name === query.name && (reset.scope === '' || reset.scope === query.scope) && reset.resetAt > start) start = reset.resetAt;
  }
  return start;
}
