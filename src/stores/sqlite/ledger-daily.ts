/**
 * Read-only daily aggregation of the ledger for `jevons reconcile`: one row per UTC day x provider x served model x
 * requested model, with every token column summed, the cost of priced rows by component, and the rows whose cost
 * is unknown (unpriced) or whose usage was estimated, counted apart. Exports from providers are UTC daily buckets,
 * so the day is `date(started_at / 1000, 'unixepoch')`, the same expression as the `usage --by day` report.
 */
import { existsSync } from 'node:fs';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { z } from 'zod';
import type { DailyLedgerCell } from '../../spec/ledger.js';

export type { DailyLedgerCell };


export interface DailyLedgerOptions {
  /** Epoch ms, inclusive (started_at >= since). */
  since: number;
  /** Epoch ms, exclusive (started_at < until). */
  until: number;
  /** Configured provider name to restrict to. */
  provider?: string;
}

const tokens = 'input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens + output_tokens';
const unpriced = `cost_total_usd IS NULL AND ${tokens} > 0`;

/** Fixed text: the provider filter is a bound parameter, so nothing from input is interpolated. */
const dailySql = (withProvider: boolean): string => `SELECT
    date(started_at / 1000, 'unixepoch') AS day,
    provider,
    served_model AS servedModel,
    requested_model AS requestedModel,
    COUNT(*) AS rows,
    TOTAL(input_tokens) AS inputTokens,
    TOTAL(cache_read_tokens) AS cacheReadTokens,
    TOTAL(cache_write_5m_tokens) AS cacheWrite5mTokens,
    TOTAL(cache_write_1h_tokens) AS cacheWrite1hTokens,
    TOTAL(output_tokens) AS outputTokens,
    TOTAL(reasoning_tokens) AS reasoningTokens,
    TOTAL(cost_total_usd) AS costUsd,
    TOTAL(cost_input_usd) AS costInputUsd,
    TOTAL(cost_cache_read_usd) AS costCacheReadUsd,
    TOTAL(cost_cache_write_usd) AS costCacheWriteUsd,
    TOTAL(cost_output_usd) AS costOutputUsd,
    TOTAL(${unpriced}) AS unpricedRows,
    TOTAL(CASE WHEN ${unpriced} THEN input_tokens ELSE 0 END) AS unpricedInputTokens,
    TOTAL(CASE WHEN ${unpriced} THEN cache_read_tokens ELSE 0 END) AS unpricedCacheReadTokens,
    TOTAL(CASE WHEN ${unpriced} THEN cache_write_5m_tokens + cache_write_1h_tokens ELSE 0 END) AS unpricedCacheWriteTokens,
    TOTAL(CASE WHEN ${unpriced} THEN output_tokens ELSE 0 END) AS unpricedOutputTokens,
    TOTAL(usage_estimated) AS estimatedRows,
    TOTAL(CASE WHEN usage_estimated = 1 THEN ${tokens} ELSE 0 END) AS estimatedTokens,
    json_group_array(DISTINCT price_ref) FILTER (WHERE price_ref IS NOT NULL AND cost_total_usd IS NOT NULL) AS priceRefs
  FROM ledger
  WHERE started_at >= @since AND started_at < @until${withProvider ? ' AND provider = @provider' : ''}
  GROUP BY 1, 2, 3, 4
  ORDER BY 1, 2, 3, 4`;

const refsSchema = z.string().transform((text, context) => {
  try {
    const parsed = z.array(z.string()).safeParse(JSON.parse(text));
    if (parsed.success) return [...parsed.data].sort();
  } catch {
    // reported below
  }
  context.addIssue({ code: 'custom', message: 'expected a JSON array of strings' });
  return z.NEVER;
});

const cellSchema = z.object({
  day: z.string(),
  provider: z.string(),
  servedModel: z.string().nullable(),
  requestedModel: z.string(),
  rows: z.number(),
  inputTokens: z.number(),
  cacheReadTokens: z.number(),
  cacheWrite5mTokens: z.number(),
  cacheWrite1hTokens: z.number(),
  outputTokens: z.number(),
  reasoningTokens: z.number(),
  costUsd: z.number(),
  costInputUsd: z.number(),
  costCacheReadUsd: z.number(),
  costCacheWriteUsd: z.number(),
  costOutputUsd: z.number(),
  unpricedRows: z.number(),
  unpricedInputTokens: z.number(),
  unpricedCacheReadTokens: z.number(),
  unpricedCacheWriteTokens: z.number(),
  unpricedOutputTokens: z.number(),
  estimatedRows: z.number(),
  estimatedTokens: z.number(),
  priceRefs: refsSchema,
}) satisfies z.ZodType<DailyLedgerCell, unknown>;

/**
 * Sums the ledger by UTC day, provider and model over [since, until). TOTAL() returns 0.0 for empty sums and skips
 * NULLs, so costs add up priced rows only; unpriced rows (tokens used, cost NULL) and estimated rows are counted
 * apart with their tokens. Reads only: it never writes, so it works on a connection opened read-only.
 */
export function dailyLedgerTotals(db: Database, options: DailyLedgerOptions): DailyLedgerCell[] {
  const withProvider = options.provider !== undefined;
  const params: Record<string, number | string> = { since: options.since, until: options.until };
  if (options.provider !== undefined) params.provider = options.provider;
  return db
    .prepare(dailySql(withProvider))
    .all(params)
    .map((record) => cellSchema.parse(record));
}

/** The ledger file cannot be read as a Jevons ledger (missing, not SQLite, or no ledger table yet). */
export class LedgerUnreadableError extends Error {
  constructor(path: string, reason: string) {
    super(`${path}: ${reason}`);
    this.name = 'LedgerUnreadableError';
  }
}

/**
 * Opens an existing ledger file read-only (never creates or migrates it, so a mistyped --db path is an error rather
 * than a new empty ledger). Throws LedgerUnreadableError naming the file when it is missing, is not a SQLite
 * database, or has no ledger table. The caller closes the handle.
 */
export function openLedgerReadOnly(path: string): Database {
  if (!existsSync(path)) throw new LedgerUnreadableError(path, 'no such ledger file (set --db, or storage.path in the config)');
  let db: Database;
  try {
    db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new LedgerUnreadableError(path, `cannot open the ledger: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    const table: unknown = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'ledger'").get();
    if (table === undefined) throw new LedgerUnreadableError(path, 'not a Jevons ledger (it has no ledger table)');
  } catch (error) {
    db.close();
    if (error instanceof LedgerUnreadableError) throw error;
    throw new LedgerUnreadableError(path, `cannot read the ledger: ${error instanceof Error ? error.message : String(error)}`);
  }
  return db;
}
