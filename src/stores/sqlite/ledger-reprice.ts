/**
 * The SQL of `jevons reprice`: reading ledger rows by started_at range in pages, and rewriting the cost of rows
 * whose price changed while keeping what they had before in the audit columns (migration 0003-cost-truth).
 *
 * Pages are read with keyset pagination on (started_at, rowid), which the started_at index serves; each page is a
 * complete `.all()` read, so no statement is left open while the caller updates rows between pages (better-sqlite3
 * does not allow writes on a connection with an open iterator).
 */
import { describeFirstIssue } from '../../spec/format-path.js';
import type { Database } from 'better-sqlite3';
import type { LedgerRow } from '../../spec/ledger.js';
import { ledgerRecordSchema, selectLedgerColumns } from './ledger-record.js';
import { createRollupWriter } from './rollups.js';

export interface RepriceRange {
  /** Epoch ms, inclusive (started_at >= since). */
  since: number;
  /** Epoch ms, exclusive (started_at < until); absent = no upper bound. */
  until?: number;
}

const pageSql = `SELECT rowid AS rid, ${selectLedgerColumns} FROM ledger
  WHERE started_at >= @afterStartedAt AND started_at < @until AND (started_at > @afterStartedAt OR rowid > @afterRowid)
  ORDER BY started_at, rowid
  LIMIT @limit`;

/**
 * Ledger rows with started_at in range, oldest first, `pageSize` rows per yielded page. The caller may write to the
 * ledger between pages (each page is read in full before it is yielded). A stored record that does not parse as a
 * LedgerRow throws an error naming the row id.
 */
export function* ledgerPagesInRange(db: Database, range: RepriceRange, pageSize = 1_000): Generator<LedgerRow[]> {
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError(`pageSize must be a positive integer, got ${pageSize}`);
  const statement = db.prepare(pageSql);
  let after = { afterStartedAt: range.since, afterRowid: -1 };
  const until = range.until ?? Number.MAX_SAFE_INTEGER;
  for (;;) {
    const records = statement.all({ ...after, until, limit: pageSize });
    if (records.length === 0) return;
    const rows: LedgerRow[] = [];
    for (const record of records) {
      const parsed = ledgerRecordSchema.safeParse(record);
      const id = typeof record === 'object' && record !== null && 'id' in record ? String(record.id) : '?';
      if (!parsed.success) throw new Error(`ledger row ${id}: unreadable record (${describeFirstIssue(parsed.error)})`);
      rows.push(parsed.data);
    }
    const last = records[records.length - 1];
    const lastRowid = typeof last === 'object' && last !== null && 'rid' in last && typeof last.rid === 'number' ? last.rid : Number.NaN;
    const lastRow = rows[rows.length - 1];
    if (lastRow === undefined || Number.isNaN(lastRowid)) return;
    yield rows;
    if (records.length < pageSize) return;
    after = { afterStartedAt: lastRow.startedAt, afterRowid: lastRowid };
  }
}

/** A row's new cost by component (USD, rounded as computeCost rounds) and the price entry it came from. */
export interface RowCostUpdate {
  id: string;
  costInputUsd: number;
  costCacheReadUsd: number;
  costCacheWriteUsd: number;
  costOutputUsd: number;
  costRequestUsd: number;
  costTotalUsd: number;
  priceRef: string;
}

/**
 * Expressions on the right of SET read the row as it was before the UPDATE, so the audit columns take the cost and
 * ref the row had, unless it was repriced before: then they keep the first pre-reprice value (repriced_at is the
 * marker, because a row that was unpriced has a NULL previous cost that is still a value to keep).
 */
const updateSql = `UPDATE ledger SET
    cost_input_usd = @costInputUsd,
    cost_cache_read_usd = @costCacheReadUsd,
    cost_cache_write_usd = @costCacheWriteUsd,
    cost_output_usd = @costOutputUsd,
    cost_request_usd = @costRequestUsd,
    cost_total_usd = @costTotalUsd,
    price_ref = @priceRef,
    previous_cost_total_usd = CASE WHEN repriced_at IS NULL THEN cost_total_usd ELSE previous_cost_total_usd END,
    previous_price_ref = CASE WHEN repriced_at IS NULL THEN price_ref ELSE previous_price_ref END,
    repriced_at = @repricedAt
  WHERE id = @id`;

/**
 * Writes new costs in ONE transaction: all rows of the batch are updated or none (an error rolls the whole batch
 * back), and the hourly rollup of the hours holding them is recomputed in the same transaction (pages are read in
 * started_at order, so a batch touches few hours). Returns how many rows were updated; a row deleted meanwhile
 * (retention) is simply not counted.
 */
export function applyCostUpdates(db: Database, updates: readonly RowCostUpdate[], repricedAt: number): number {
  if (updates.length === 0) return 0;
  const statement = db.prepare(updateSql);
  const rollup = createRollupWriter(db);
  const run = db.transaction((batch: readonly RowCostUpdate[]) => {
    let changed = 0;
    for (const update of batch) changed += statement.run({ ...update, repricedAt }).changes;
    rollup.rebuildHoursOf(batch.map((update) => update.id));
    return changed;
  });
  return run(updates);
}
