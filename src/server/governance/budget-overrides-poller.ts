/**
 * How a running gateway sees `jevons budgets set|reset`: the CLI writes the budget_overrides / budget_resets tables
 * (src/stores/sqlite/budget-overrides.ts) and this poller reads them every `intervalMs` (default 2 s), calling
 * `onChange` with the whole set once at start and then whenever it differs from the last one read. So a `set` or a
 * `reset` takes effect on the gateway within one interval. A failed read is logged and retried at the next tick.
 */
import type { Database } from 'better-sqlite3';
import { loadBudgetOverrides, type BudgetOverrides } from '../../stores/sqlite/budget-overrides.js';
import type { Logger } from '../logger.js';

export interface BudgetOverridesPoller {
  /** Reads now (also what each tick does); returns whether the overrides changed. */
  poll(): boolean;
  stop(): void;
}

export function startBudgetOverridesPoller(options: { db: Database; onChange: (overrides: BudgetOverrides) => void; logger: Logger; intervalMs?: number }): BudgetOverridesPoller {
  let last: string | null = null;
  const poll = (): boolean => {
    try {
      const overrides = loadBudgetOverrides(options.db);
      const text = JSON.stringify(overrides);
      if (text === last) return false;
      last = text;
      options.onChange(overrides);
      return true;
    } catch (error) {
      options.logger.error('budget overrides could not be read', { error: String(error) });
      return false;
    }
  };
  poll();
  const timer = setInterval(poll, options.intervalMs ?? 2_000);
  timer.unref();
  return { poll, stop: () => clearInterval(timer) };
}
