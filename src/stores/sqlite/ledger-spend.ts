/**
 * Spend in the ledger for one budget scope value and period: what the budget policy adds to a counter the first time
 * a process touches it, so a restart mid-period keeps the amount spent (src/policies/budgets, docs/governance.md).
 * USD is the sum of priced rows; unpriced rows (cost NULL) add their tokens and no USD, their cost being unknown.
 * Whole days and hours come from the rollups when they hold every matched dimension (rollups.ts); otherwise the
 * started_at index is all that helps and the attribution filters scan the period's rows, once per key per process.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { SpendQuery } from '../../spec/governance.js';
import { factsSql, rollupDimensions, splitRange } from './rollups.js';

/** The ledger column of each scope dimension; also used by `jevons budgets list`. */
export const scopeColumns = {
  team: 'team',
  app: 'app',
  feature: 'feature',
  key: 'key_id',
  user: 'user_id',
  customer: 'customer',
  session: 'session_id',
  model: 'requested_model',
} as const satisfies Record<keyof Omit<SpendQuery['match'], 'tags'>, string>;

/** Every token kind a budget counts (reasoning is part of output). */
export const spentTokensSql = 'input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens + output_tokens';

/** A JSON path naming one key of the tags object, whatever characters the key holds. */
const tagPath = (name: string): string => `$.${JSON.stringify(name)}`;

/** Statements by shape (which filters are present); the values are always bound parameters. */
const statements = new WeakMap<Database, Map<string, Statement<unknown[]>>>();

export function ledgerSpend(db: Database, query: SpendQuery): { usd: number; tokens: number } {
  const until = Number.isFinite(query.until) ? query.until : Number.MAX_SAFE_INTEGER;
  const rolled = rolledUpSpend(db, query, until);
  if (rolled !== null) return rolled;
  const where = ['started_at >= ?', 'started_at < ?'];
  const values: Array<string | number> = [query.since, until];
  for (const [dimension, column] of Object.entries(scopeColumns)) {
    const value = query.match[dimension as keyof typeof scopeColumns];
    if (value === undefined) continue;
    where.push(`${column} = ?`);
    values.push(value);
  }
  for (const [name, value] of Object.entries(query.match.tags ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    where.push('json_extract(tags, ?) = ?');
    values.push(tagPath(name), value);
  }
  const sql = `SELECT TOTAL(cost_total_usd) AS usd, TOTAL(${spentTokensSql}) AS tokens FROM ledger WHERE ${where.join(' AND ')}`;
  let cache = statements.get(db);
  if (cache === undefined) statements.set(db, (cache = new Map()));
  let statement = cache.get(sql);
  if (statement === undefined) cache.set(sql, (statement = db.prepare<unknown[]>(sql)));
  const row = statement.get(...values) as { usd: number; tokens: number } | undefined;
  return { usd: row?.usd ?? 0, tokens: row?.tokens ?? 0 };
}

/**
 * The same sum from the rollups (whole days and hours; cut hours from the ledger) when every matched dimension is a
 * rollup dimension and no tag is matched; null otherwise. The SQL holds the instants, so it is prepared per call
 * (a restore runs once per counter key per process).
 */
function rolledUpSpend(db: Database, query: SpendQuery, until: number): { usd: number; tokens: number } | null {
  if (Object.keys(query.match.tags ?? {}).length > 0) return null;
  const matched = Object.entries(scopeColumns).filter(([dimension]) => query.match[dimension as keyof typeof scopeColumns] !== undefined);
  if (!matched.every(([, column]) => rollupDimensions.has(column))) return null;
  const split = splitRange(query.since, until);
  if (split === null) return null;
  const where = matched.map(([, column]) => `${column} = ?`);
  const sql = `SELECT TOTAL(cost_total_usd) AS usd, TOTAL(${spentTokensSql}) AS tokens FROM ${factsSql(split, matched.map(([, column]) => column))}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}`;
  const row = db.prepare<unknown[]>(sql).get(...matched.map(([dimension]) => query.match[dimension as keyof typeof scopeColumns])) as { usd: number; tokens: number } | undefined;
  return { usd: row?.usd ?? 0, tokens: row?.tokens ?? 0 };
}
