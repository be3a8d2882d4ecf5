import type { Database, Statement } from 'better-sqlite3';
import { z } from 'zod';
import type { LedgerRow } from '../../spec/ledger.js';
import type { LedgerStore, UsageGroup, UsageQuery } from '../../spec/ports.js';
import { insertLedgerSql, ledgerRecordSchema, selectLedgerColumns, toLedgerValues } from './ledger-record.js';
import { createRollupWriter, HOUR_MS } from './rollups.js';

/** SQL expression of each grouping. A fixed table, never caller text, so nothing is interpolated from input. */
const groupExpressions: Record<UsageQuery['groupBy'], string> = {
  feature: 'feature',
  model: 'requested_model',
  customer: 'customer',
  team: 'team',
  app: 'app',
  user: 'user_id',
  provider: 'provider',
  key: 'key_id',
  // UTC calendar day (YYYY-MM-DD) of started_at; integer division floors epoch ms to seconds.
  day: "date(started_at / 1000, 'unixepoch')",
};

const usageGroupSchema = z.object({
  group: z.string().nullable(),
  requests: z.number(),
  errors: z.number(),
  inputTokens: z.number(),
  cacheReadTokens: z.number(),
  cacheWriteTokens: z.number(),
  outputTokens: z.number(),
  costUsd: z.number(),
  unpricedRows: z.number(),
  estimatedRows: z.number(),
  exactCacheHits: z.number(),
  semanticCacheHits: z.number(),
  responseCacheSavedUsd: z.number(),
  promptCacheSavedUsd: z.number(),
}) satisfies z.ZodType<UsageGroup>;

/**
 * One GROUP BY over the ledger. `TOTAL(cost_total_usd)` skips NULLs, so costUsd sums priced rows only and unpriced
 * rows that used tokens are counted apart (their cost is unknown, not 0); a row with no usage at all (a failed
 * attempt the provider did not bill) is not "unpriced". Errors: HTTP status >= 400 or an error code (e.g. a
 * stream that failed after a 200). The time filter is on started_at (indexed) and only added when given, so the
 * planner can use the index range. Savings are differences of two stored numbers per row (NULL when either is
 * unknown, which TOTAL skips): rows written before cost_uncached_usd existed save nothing rather than a guess.
 */
function usageSql(query: UsageQuery): string {
  const group = groupExpressions[query.groupBy];
  if (group === undefined) throw new RangeError(`usage: unknown groupBy "${String(query.groupBy)}"`);
  const where = [query.since === undefined ? null : 'started_at >= @since', query.until === undefined ? null : 'started_at < @until'].filter((c) => c !== null);
  return `SELECT ${group} AS "group",
      COUNT(*) AS requests,
      COALESCE(SUM(status >= 400 OR error_code IS NOT NULL), 0) AS errors,
      COALESCE(SUM(input_tokens), 0) AS inputTokens,
      COALESCE(SUM(cache_read_tokens), 0) AS cacheReadTokens,
      COALESCE(SUM(cache_write_5m_tokens + cache_write_1h_tokens), 0) AS cacheWriteTokens,
      COALESCE(SUM(output_tokens), 0) AS outputTokens,
      TOTAL(cost_total_usd) AS costUsd,
      COALESCE(SUM(cost_total_usd IS NULL AND input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens + output_tokens > 0), 0) AS unpricedRows,
      COALESCE(SUM(usage_estimated), 0) AS estimatedRows,
      COALESCE(SUM(cache_source = 'exact'), 0) AS exactCacheHits,
      COALESCE(SUM(cache_source = 'semantic'), 0) AS semanticCacheHits,
      TOTAL(CASE WHEN cache_source IS NOT NULL THEN cost_uncached_usd - cost_total_usd END) AS responseCacheSavedUsd,
      TOTAL(CASE WHEN cache_source IS NULL THEN cost_uncached_usd - cost_total_usd END) AS promptCacheSavedUsd
    FROM ledger ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
    GROUP BY 1
    ORDER BY costUsd DESC, requests DESC, "group" ASC
    LIMIT @limit`;
}

const parseRows = (records: unknown[]): LedgerRow[] => records.map((record) => ledgerRecordSchema.parse(record));

/**
 * The embedded LedgerStore over a migrated better-sqlite3 connection. Every statement is prepared once (usage
 * statements once per shape); better-sqlite3 is synchronous, so each method completes within its call and the
 * returned promise only carries the result or the error. `close()` closes the shared connection (see
 * openSqliteStores).
 */
export function createSqliteLedgerStore(options: { db: Database; close: () => Promise<void> }): LedgerStore {
  const { db } = options;
  const insert = db.prepare(insertLedgerSql);
  const rollup = createRollupWriter(db);
  // The hourly rollups move with the rows, in the same transaction: SQLite groups the batch's rows (by rowid range)
  // and upserts one cell per distinct (hour, key).
  const appendAll = db.transaction((rows: readonly LedgerRow[]) => {
    let first = -1;
    let last = -1;
    for (const row of rows) {
      last = Number(insert.run(toLedgerValues(row)).lastInsertRowid);
      if (first < 0) first = last;
    }
    if (first >= 0) rollup.addRowids(first, last);
  });
  const byRequest = db.prepare(`SELECT ${selectLedgerColumns} FROM ledger WHERE request_id = ? ORDER BY attempt, rowid`);
  const recent = db.prepare(`SELECT ${selectLedgerColumns} FROM ledger ORDER BY started_at DESC, rowid DESC LIMIT ?`);
  // A row that ended before the cutoff also started before it: the started_at bound lets the index narrow the scan.
  const deleteRows = db.prepare('DELETE FROM ledger WHERE started_at < @cutoff AND ended_at < @cutoff');
  // Retention applies to the rollup too: every hour that starts before the cutoff is recomputed from the rows that
  // survive (rows still running at the cutoff, and the cutoff's own hour), so rollup and ledger never disagree.
  const deleteBefore = db.transaction((cutoff: number): number => {
    const { changes } = deleteRows.run({ cutoff });
    if (changes > 0) rollup.rebuild(Number.MIN_SAFE_INTEGER, cutoff % HOUR_MS === 0 ? cutoff : cutoff - (cutoff % HOUR_MS) + HOUR_MS);
    return changes;
  });
  const usageStatements = new Map<string, Statement>();

  const usageStatement = (query: UsageQuery): Statement => {
    const shape = `${query.groupBy}:${query.since !== undefined}:${query.until !== undefined}`;
    let statement = usageStatements.get(shape);
    if (statement === undefined) {
      statement = db.prepare(usageSql(query));
      usageStatements.set(shape, statement);
    }
    return statement;
  };

  return {
    async append(rows) {
      if (rows.length > 0) appendAll(rows);
    },
    async usage(query) {
      const params: Record<string, number> = { limit: query.limit ?? -1 };
      if (query.since !== undefined) params.since = query.since;
      if (query.until !== undefined) params.until = query.until;
      return usageStatement(query).all(params).map((record) => usageGroupSchema.parse(record));
    },
    async byRequest(requestId) {
      return parseRows(byRequest.all(requestId));
    },
    async recent(limit) {
      return parseRows(recent.all(limit));
    },
    async deleteBefore(cutoff) {
      return deleteBefore(cutoff);
    },
    close: options.close,
  };
}
