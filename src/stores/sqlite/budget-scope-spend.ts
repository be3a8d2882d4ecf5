/**
 * Spend of a budget per scope value, read from the ledger for `jevons budgets list` and GET /admin/v1/budgets: the
 * rows with started_at in
 * [since, until) whose attribution matches the budget's fixed scope values, grouped by its `*` dimensions (one row
 * per distinct value seen; rows without a value for a `*` dimension are not covered, as in the gateway). Spend is
 * the priced cost (unpriced rows are counted apart, never as $0) and tokens are every token kind: input, cache
 * reads and writes, and output (reasoning is part of output). When every scope dimension is a rollup dimension
 * (no tags, no user), whole days and hours come from the rollups (rollups.ts) and only cut hours from the ledger.
 */
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import type { BudgetConfig, ScopeDimension } from '../../spec/config/governance-schema.js';
import { scopeDimensions } from '../../spec/config/governance-schema.js';
import { scopeColumns, spentTokensSql } from './ledger-spend.js';
import { factsSql, rollupDimensions, splitFor, type ReadSource } from './rollups.js';

const columnOf: Record<ScopeDimension, string> = scopeColumns;
const tokens = spentTokensSql;

export interface ScopeSpend {
  /** `team=search,tag.env=prod` in the gateway's order ('' for a global budget). */
  scope: string;
  spentUsd: number;
  spentTokens: number;
  rows: number;
  unpricedRows: number;
}

/** One part of a budget's scope: a ledger expression, the label it has in the scope string, and `*` or a value. */
interface ScopePart {
  label: string;
  expression: string;
  wanted: string;
  /** The bound JSON path of a tag expression. */
  param: { name: string; value: string } | null;
}

/** The parts in the order of the gateway's scope string: dimensions as in scopeDimensions, then tags by name. */
export function scopeParts(budget: BudgetConfig): ScopePart[] {
  const parts: ScopePart[] = [];
  for (const dimension of scopeDimensions) {
    const wanted = budget.scope[dimension];
    if (wanted !== undefined) parts.push({ label: dimension, expression: columnOf[dimension], wanted, param: null });
  }
  const tags = Object.entries(budget.scope.tags ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  tags.forEach(([name, wanted], index) => parts.push({ label: `tag.${name}`, expression: `json_extract(tags, @path${index})`, wanted, param: { name: `path${index}`, value: `$.${JSON.stringify(name)}` } }));
  return parts;
}

const rowSchema = z.object({ spentUsd: z.number(), spentTokens: z.number(), rows: z.number(), unpricedRows: z.number() }).catchall(z.union([z.string(), z.number(), z.null()]));

/**
 * Spend per scope value of `budget` in [since, until). `only` restricts to one scope value (its `*` parts fixed), as
 * when a reset moved that value's start later than the period's.
 */
export function budgetScopeSpend(db: Database, options: { budget: BudgetConfig; since: number; until: number; only?: string; source?: ReadSource }): ScopeSpend[] {
  const parts = scopeParts(options.budget);
  const onlyValues = new Map<string, string>();
  for (const piece of options.only === undefined || options.only === '' ? [] : options.only.split(',')) {
    const at = piece.indexOf('=');
    onlyValues.set(piece.slice(0, at), piece.slice(at + 1));
  }
  const until = Math.min(options.until, Number.MAX_SAFE_INTEGER);
  const params: Record<string, string | number> = {};
  const split = parts.every((part) => part.param === null && rollupDimensions.has(part.expression)) ? splitFor({ since: options.since, until, source: options.source }) : null;
  const where = split === null ? ['started_at >= @since', 'started_at < @until'] : [];
  if (split === null) Object.assign(params, { since: options.since, until });
  const grouped: string[] = [];
  parts.forEach((part, index) => {
    if (part.param !== null) params[part.param.name] = part.param.value;
    const value = part.wanted === '*' ? onlyValues.get(part.label) : part.wanted;
    if (value !== undefined) {
      where.push(`${part.expression} = @v${index}`);
      params[`v${index}`] = value;
    } else {
      where.push(`${part.expression} IS NOT NULL`);
    }
    if (part.wanted === '*') grouped.push(`${part.expression} AS g${index}`);
  });
  const measures = split === null
    ? ['TOTAL(cost_total_usd) AS spentUsd', `TOTAL(${tokens}) AS spentTokens`, 'COUNT(*) AS rows', `TOTAL(cost_total_usd IS NULL AND ${tokens} > 0) AS unpricedRows`]
    : ['TOTAL(cost_total_usd) AS spentUsd', `TOTAL(${tokens}) AS spentTokens`, 'TOTAL(rows) AS rows', 'TOTAL(unpriced_rows) AS unpricedRows'];
  const from = split === null ? 'ledger' : `${factsSql(split, parts.map((part) => part.expression))} AS facts`;
  const sql = `SELECT ${[...grouped, ...measures].join(', ')}
    FROM ${from}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}${grouped.length > 0 ? ` GROUP BY ${grouped.map((_, i) => i + 1).join(', ')}` : ''}`;
  return db
    .prepare(sql)
    .all(params)
    .map((record) => rowSchema.parse(record))
    .filter((row) => row.rows > 0)
    .map((row) => ({
      scope: parts.map((part, index) => `${part.label}=${part.wanted === '*' ? String(row[`g${index}`]) : part.wanted}`).join(','),
      spentUsd: row.spentUsd,
      spentTokens: row.spentTokens,
      rows: row.rows,
      unpricedRows: row.unpricedRows,
    }));
}
