/**
 * `jevons budgets list|set|reset` (docs/governance.md, "Budgets" and "Alerts").
 * - list: every configured budget (one line per scope value seen this period for `*` budgets) with its limit, spend
 *   this period from the ledger, remaining, the period in the budget's time zone, when it resets, the action, and the
 *   alerts already fired this period (events table).
 * - set: writes a limit override to the database (budget_overrides); the gateway polls it (within 2 s) and uses it
 *   instead of jevons.yaml until `set --clear`.
 * - reset: records "spend counts from now" for the budget (one scope value with --scope, else all) in budget_resets;
 *   the gateway picks it up at its next poll. The ledger is not touched: the spend stays visible in `jevons usage`.
 */
import { existsSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { listBudgets, localTime, parseBudgetScope, ScopeTextError, type BudgetListEntry } from '../../server/governance/budget-list.js';
import type { BudgetConfig } from '../../spec/config/governance-schema.js';
import type { Environment } from '../../spec/config/load-config.js';
import { scopeParts } from '../../stores/sqlite/budget-scope-spend.js';
import { clearBudgetOverride, resetBudget, setBudgetOverride } from '../../stores/sqlite/budget-overrides.js';
import { openSqliteStores } from '../../stores/sqlite/index.js';
import { loadConfig } from '../load.js';
import { count, formatTable, usd } from '../table.js';

const amounts = (value: number | null, tokens: number | null, money: (n: number) => string): string =>
  [value === null ? null : money(value), tokens === null ? null : `${count(tokens)} tok`].filter((part) => part !== null).join(' / ') || '-';

export function formatBudgetList(entries: readonly BudgetListEntry[]): string {
  if (entries.length === 0) return 'No budgets configured (add `budgets:` to jevons.yaml; see docs/governance.md).';
  const rows = entries.map((entry) => {
    const spentTokens = entry.limitTokens === null ? null : entry.spentTokens;
    const range =
      entry.period === 'lifetime'
        ? 'lifetime'
        : entry.period === 'rolling'
          ? `rolling, since ${localTime(entry.periodStart, entry.timezone)}`
          : `${localTime(entry.periodStart, entry.timezone).slice(0, 16)} → ${localTime(entry.periodEnd ?? 0, entry.timezone).slice(0, 16)}`;
    return [
      entry.budget,
      entry.scope === null ? '(no traffic yet)' : entry.scope === '' ? 'global' : entry.scope,
      `${amounts(entry.limitUsd, entry.limitTokens, usd)}${entry.overridden ? ' (set)' : ''}`,
      `${amounts(entry.limitUsd === null ? null : entry.spentUsd, spentTokens, usd)}${entry.unpricedRows > 0 ? ` +${count(entry.unpricedRows)} unpriced` : ''}${entry.countedFrom > entry.periodStart ? ` (since reset ${localTime(entry.countedFrom, entry.timezone)})` : ''}`,
      amounts(entry.remainingUsd, entry.remainingTokens, usd),
      range,
      entry.periodEnd === null ? (entry.period === 'rolling' ? 'rolling' : 'never') : localTime(entry.periodEnd, entry.timezone),
      entry.action,
      entry.alertsFired.join(', ') || '-',
    ];
  });
  return formatTable(['budget', 'scope', 'limit', 'spent', 'remaining', 'period', 'resets', 'action', 'alerts fired'], rows);
}

export interface BudgetsDeps {
  env: NodeJS.ProcessEnv | Environment;
  print: (text: string) => void;
  now?: () => number;
}

const positive = (flag: string, integer: boolean) => (value: string): number => {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed <= 0 || (integer && !Number.isInteger(parsed))) {
    throw new InvalidArgumentError(`${flag}: expected a positive ${integer ? 'whole number' : 'number'}, got "${value}"`);
  }
  return parsed;
};

/** The configured budget named `name`, or an error listing the names there are. */
function findBudget(budgets: readonly BudgetConfig[], name: string, source: string): BudgetConfig {
  const found = budgets.find((budget) => budget.name === name);
  if (found !== undefined) return found;
  const known = budgets.map((budget) => budget.name);
  throw new Error(`no budget named "${name}" in ${source}${known.length > 0 ? ` (budgets: ${known.join(', ')})` : ' (it has no budgets)'}`);
}

/** parseBudgetScope with the CLI's error: `--scope: <what is wrong>`. */
function scopeOption(budget: BudgetConfig, text: string): string {
  try {
    return parseBudgetScope(budget, text);
  } catch (error) {
    if (error instanceof ScopeTextError) throw new InvalidArgumentError(`--scope: ${error.message}`);
    throw error;
  }
}

export function registerBudgetsCommand(program: Command, deps: BudgetsDeps): void {
  const now = deps.now ?? Date.now;
  const open = (options: { config?: string; db?: string }, mustExist: boolean) => {
    const loaded = loadConfig({ path: options.config, env: deps.env });
    const path = options.db ?? loaded.config.storage.path;
    if (mustExist && !existsSync(path)) throw new Error(`${path}: no such database file (set --db, or storage.path in the config)`);
    return { loaded, path, stores: openSqliteStores({ path }) };
  };
  const budgets = program.command('budgets').description('Budgets: spend this period, limits, resets (docs/governance.md)');

  budgets
    .command('list')
    .description('Each budget (and each scope value seen this period) with limit, spend, remaining, reset time, action and alerts fired')
    .option('-c, --config <path>', 'jevons.yaml (budgets and storage.path)')
    .option('--db <path>', 'database file (overrides the config)')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { config?: string; db?: string; json?: boolean }) => {
      const { loaded, stores } = open(options, false);
      try {
        const entries = await listBudgets({ db: stores.db, budgets: loaded.config.budgets, now: now() });
        deps.print(options.json ? JSON.stringify(entries, null, 2) : formatBudgetList(entries));
      } finally {
        await stores.close();
      }
    });

  budgets
    .command('set <name>')
    .description('Override the limit of a configured budget; a running gateway applies it within 2 seconds')
    .option('--limit-usd <usd>', 'new USD limit', positive('--limit-usd', false))
    .option('--limit-tokens <tokens>', 'new token limit', positive('--limit-tokens', true))
    .option('--clear', 'remove the override: back to the limits in jevons.yaml')
    .option('-c, --config <path>', 'jevons.yaml (budgets and storage.path)')
    .option('--db <path>', 'database file (overrides the config)')
    .action(async (name: string, options: { limitUsd?: number; limitTokens?: number; clear?: boolean; config?: string; db?: string }) => {
      if (options.clear && (options.limitUsd !== undefined || options.limitTokens !== undefined)) throw new InvalidArgumentError('--clear: not with --limit-usd or --limit-tokens');
      if (!options.clear && options.limitUsd === undefined && options.limitTokens === undefined) throw new InvalidArgumentError('budgets set: give --limit-usd, --limit-tokens (or both), or --clear');
      const { loaded, path, stores } = open(options, false);
      try {
        const budget = findBudget(loaded.config.budgets, name, loaded.source);
        if (options.clear) {
          const had = clearBudgetOverride(stores.db, name);
          deps.print(had ? `Budget ${name}: override removed; the limits of ${loaded.source} apply again (a running gateway sees it within 2 s).` : `Budget ${name} had no override.`);
          return;
        }
        setBudgetOverride(stores.db, { name, limitUsd: options.limitUsd ?? null, limitTokens: options.limitTokens ?? null, updatedAt: now() });
        const was = amounts(budget.limit_usd ?? null, budget.limit_tokens ?? null, usd);
        const is = amounts(options.limitUsd ?? budget.limit_usd ?? null, options.limitTokens ?? budget.limit_tokens ?? null, usd);
        deps.print(`Budget ${name}: limit ${is} (configured: ${was}), stored in ${path}. A running gateway applies it within 2 s; \`jevons budgets set ${name} --clear\` undoes it.`);
      } finally {
        await stores.close();
      }
    });

  budgets
    .command('reset <name>')
    .description('Count the spend of a budget from now on for the rest of this period (all scope values, or one with --scope)')
    .option('--scope <dimension=value>', 'one scope value of the budget, e.g. team=search (comma-separated for several dimensions)')
    .option('-c, --config <path>', 'jevons.yaml (budgets and storage.path)')
    .option('--db <path>', 'database file (overrides the config)')
    .action(async (name: string, options: { scope?: string; config?: string; db?: string }) => {
      const { loaded, path, stores } = open(options, false);
      try {
        const budget = findBudget(loaded.config.budgets, name, loaded.source);
        const scope = options.scope === undefined ? '' : scopeOption(budget, options.scope);
        const at = now();
        resetBudget(stores.db, { name, scope, resetAt: at });
        const what = scope === '' ? (scopeParts(budget).length > 0 ? 'every scope value' : 'the budget') : scope;
        deps.print(`Budget ${name} (${what}): spend counts from ${localTime(at, budget.timezone)} for the rest of this period (stored in ${path}; a running gateway applies it within 2 s). The ledger is unchanged.`);
      } finally {
        await stores.close();
      }
    });
}
