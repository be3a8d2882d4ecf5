/**
 * SQL aggregates behind the admin analytics endpoints (GET /admin/v1/outcomes, /forecast, /whales, /waste): each
 * function returns exactly the records a pure function of src/analytics takes (costPerOutcome, forecastSpend,
 * whaleReport, wasteReport), so the numbers are computed in one place. Time buckets (days, months in the operator's
 * zone) come from the caller as bounds, like admin-spend.ts: SQLite never needs to know about zones. Every SQL
 * fragment is fixed text; every value is a bound parameter (bounds are integers written as literals).
 * Costs follow the ledger's rules: TOTAL() skips NULL (unpriced) costs; a request is unpriced when one of its
 * attempts has tokens but no cost. Per-feature daily spend, per-customer monthly cost and spend totals read whole UTC
 * hours from the hourly rollup and split hours from the ledger (src/stores/sqlite/rollups.ts); per-request,
 * per-session and per-attempt queries read the ledger.
 */
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { bucketCase, factsSql, splitFor, type ReadSource } from './rollups.js';

export interface TimeRange {
  /** Epoch ms, inclusive. */
  since: number;
  /** Epoch ms, exclusive. */
  until: number;
  /** Default `auto`: whole hours from the hourly rollup where a query can use it; `ledger` pins the raw rows. */
  source?: ReadSource;
}

const tokensSql = 'input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens + output_tokens';

const nullableText = z.union([z.string(), z.number()]).nullable().transform((value) => (value === null ? null : String(value)));

const cellRow = z.object({ feature: nullableText, model: z.string(), bucket: z.number(), requests: z.number(), spendUsd: z.number(), unpricedRows: z.number() });

/**
 * Spend per (feature, requested model, day bucket) over the range: first attempts, priced cost and unpriced rows
 * (GET /outcomes' spend side). Whole days and hours come from the rollups.
 */
export function outcomeSpendCells(db: Database, query: { range: TimeRange; dayBounds: readonly number[] }): Array<z.output<typeof cellRow>> {
  const split = splitFor(query.range, query.dayBounds);
  const sql = split === null
    ? `SELECT feature, requested_model AS model, ${bucketCase('started_at', query.dayBounds)} AS bucket, SUM(attempt = 1) AS requests, TOTAL(cost_total_usd) AS spendUsd,
      SUM(cost_total_usd IS NULL AND ${tokensSql} > 0) AS unpricedRows FROM ledger WHERE started_at >= @since AND started_at < @until GROUP BY 1, 2, 3`
    : `SELECT feature, requested_model AS model, ${bucketCase('at', query.dayBounds)} AS bucket, SUM(requests) AS requests, TOTAL(cost_total_usd) AS spendUsd,
      SUM(unpriced_rows) AS unpricedRows FROM ${factsSql(split, ['feature', 'requested_model'])} GROUP BY 1, 2, 3`;
  return db
    .prepare(sql)
    .all({ since: query.range.since, until: query.range.until })
    .map((record) => cellRow.parse(record));
}

const requestRow = z.object({ requestId: z.string(), sessionId: nullableText, feature: nullableText, model: z.string(), bucket: z.number() });

/**
 * The requests with rows in the range that an outcome covers (their own, or their session's), with their session,
 * feature and requested model (of the first attempt) and the day bucket of their first row. Read from the outcomes
 * through the ledger's request and session indexes: the cost follows the number of outcomes, not of ledger rows.
 */
export function coveredRequests(db: Database, query: { range: TimeRange; dayBounds: readonly number[] }): Array<z.output<typeof requestRow>> {
  const inRange = 'l.started_at >= @since AND l.started_at < @until';
  const sql = `WITH covered AS (
      SELECT l.request_id FROM (SELECT DISTINCT request_id FROM outcomes WHERE request_id IS NOT NULL) AS o CROSS JOIN ledger AS l ON l.request_id = o.request_id WHERE ${inRange}
      UNION
      SELECT l.request_id FROM (SELECT DISTINCT session_id FROM outcomes WHERE request_id IS NULL AND session_id IS NOT NULL) AS s CROSS JOIN ledger AS l
        ON l.session_id = s.session_id AND l.session_id IS NOT NULL WHERE ${inRange})
    SELECT l.request_id AS requestId, MAX(l.session_id) AS sessionId,
      MIN(CASE WHEN l.attempt = 1 THEN l.feature END) AS feature,
      COALESCE(MIN(CASE WHEN l.attempt = 1 THEN l.requested_model END), MIN(l.requested_model)) AS model,
      MIN(${bucketCase('l.started_at', query.dayBounds)}) AS bucket
    FROM covered AS c CROSS JOIN ledger AS l ON l.request_id = c.request_id WHERE ${inRange} GROUP BY l.request_id`;
  return db
    .prepare(sql)
    .all({ since: query.range.since, until: query.range.until })
    .map((record) => requestRow.parse(record));
}

const outcomeRow = z.object({ requestId: z.string().nullable(), sessionId: z.string().nullable(), status: z.enum(['success', 'failure']).nullable(), score: z.number().nullable() });

/**
 * Every outcome recorded for a request or a session with ledger rows in the range, in recording order: each
 * outcome is checked through the ledger's request and session indexes (the whole outcomes table is read).
 */
export function outcomesOfRange(db: Database, range: TimeRange): Array<z.output<typeof outcomeRow>> {
  const sql = `SELECT request_id AS requestId, session_id AS sessionId, status, score FROM outcomes AS o
    WHERE (o.request_id IS NOT NULL AND EXISTS (SELECT 1 FROM ledger AS l WHERE l.request_id = o.request_id AND l.started_at >= @since AND l.started_at < @until))
       OR (o.session_id IS NOT NULL AND EXISTS (SELECT 1 FROM ledger AS l WHERE l.session_id = o.session_id AND l.session_id IS NOT NULL AND l.started_at >= @since AND l.started_at < @until))
    ORDER BY at, rowid`;
  return db
    .prepare(sql)
    .all({ since: range.since, until: range.until })
    .map((record) => outcomeRow.parse(record));
}

const dailyRow = z.object({ feature: nullableText, bucket: z.number(), usd: z.number() });

/** Spend per (feature, day bucket) over the range; only non-empty cells. */
export function dailySpendByFeature(db: Database, query: { range: TimeRange; dayBounds: readonly number[] }): Array<z.output<typeof dailyRow>> {
  const split = splitFor(query.range, query.dayBounds);
  const sql = split === null
    ? `SELECT feature, ${bucketCase('started_at', query.dayBounds)} AS bucket, TOTAL(cost_total_usd) AS usd
    FROM ledger WHERE started_at >= @since AND started_at < @until GROUP BY 1, 2`
    : `SELECT feature, ${bucketCase('at', query.dayBounds)} AS bucket, TOTAL(cost_total_usd) AS usd FROM ${factsSql(split, ['feature'])} GROUP BY 1, 2`;
  return db
    .prepare(sql)
    .all(query.range)
    .map((record) => dailyRow.parse(record));
}

const monthRow = z.object({ customer: z.string(), bucket: z.number(), costUsd: z.number() });

/** LLM cost per customer and month bucket (rows with a customer only). */
export function customerMonthCosts(db: Database, query: { range: TimeRange; monthBounds: readonly number[] }): Array<z.output<typeof monthRow>> {
  const split = splitFor(query.range, query.monthBounds);
  const sql = split === null
    ? `SELECT customer, ${bucketCase('started_at', query.monthBounds)} AS bucket, TOTAL(cost_total_usd) AS costUsd
    FROM ledger WHERE started_at >= @since AND started_at < @until AND customer IS NOT NULL GROUP BY 1, 2`
    : `SELECT customer, ${bucketCase('at', query.monthBounds)} AS bucket, TOTAL(cost_total_usd) AS costUsd
    FROM ${factsSql(split, ['customer'])} WHERE customer IS NOT NULL GROUP BY 1, 2`;
  return db
    .prepare(sql)
    .all(query.range)
    .map((record) => monthRow.parse(record));
}

const sessionRow = z.object({ customer: z.string(), session: z.string(), costUsd: z.number(), requests: z.number() });

/**
 * The `top` heaviest sessions of each customer (or of the given customers) over the range (ties: session id
 * ascending); requests = first attempts, as everywhere in the admin API. Whole hours come from the session rollup.
 */
export function heaviestSessions(db: Database, query: { range: TimeRange; top: number; customers?: readonly string[] }): Array<z.output<typeof sessionRow>> {
  const split = splitFor(query.range);
  const ofCustomers = query.customers === undefined ? 'customer IS NOT NULL' : 'customer IN (SELECT value FROM json_each(@customers))';
  const from = split === null
    ? `ledger WHERE started_at >= @since AND started_at < @until AND ${ofCustomers} AND session_id IS NOT NULL`
    : `${factsSql(split, ['customer', 'session_id'])} WHERE ${ofCustomers} AND session_id IS NOT NULL`;
  const requests = split === null ? 'SUM(attempt = 1)' : 'SUM(requests)';
  const sql = `SELECT customer, session, costUsd, requests FROM (
      SELECT customer, session_id AS session, TOTAL(cost_total_usd) AS costUsd, ${requests} AS requests,
        ROW_NUMBER() OVER (PARTITION BY customer ORDER BY TOTAL(cost_total_usd) DESC, session_id ASC) AS position
      FROM ${from}
      GROUP BY customer, session_id)
    WHERE position <= @top ORDER BY customer, position`;
  return db
    .prepare(sql)
    .all({ since: query.range.since, until: query.range.until, top: query.top, ...(query.customers === undefined ? {} : { customers: JSON.stringify(query.customers) }) })
    .map((record) => sessionRow.parse(record));
}

const attemptRow = z.object({ requestId: z.string(), attempt: z.number(), status: z.number(), errorCode: z.string().nullable(), costUsd: z.number().nullable(), session: z.string().nullable() });
const repeatRow = z.object({ requestId: z.string(), reason: z.string() });
const tripRow = z.object({ session: z.string(), firstTrip: z.number(), trips: z.number(), stoppedUsd: z.number().nullable(), costBeforeTripUsd: z.number() });
const findingRow = z.object({ day: z.string(), prefix: z.string(), lostUsd: z.number() });
const cacheRow = z.object({ kind: z.enum(['exact_cache', 'semantic_cache', 'prompt_cache']), rows: z.number(), uncachedUsd: z.number(), costUsd: z.number() });

/** Repeat flags: breaker_warn / breaker_shadow events in the range that name a request; reason = the loop kind. */
export function repeatFlags(db: Database, range: TimeRange): Array<z.output<typeof repeatRow>> {
  const sql = `SELECT request_id AS requestId, COALESCE(json_extract(details, '$.kind'), name) AS reason FROM events
    WHERE at >= @since AND at < @until AND kind IN ('breaker_warn', 'breaker_shadow') AND request_id IS NOT NULL ORDER BY at, id`;
  return db
    .prepare(sql)
    .all(range)
    .map((record) => repeatRow.parse(record));
}

/**
 * Attempt rows (started in the range) of requests that were retried (some attempt > 1) or flagged as repeats.
 * An attempt's cost is null when it had tokens but no price; an attempt with no tokens and no cost cost 0.
 */
export function retriedAttempts(db: Database, query: { range: TimeRange; flagged: readonly string[] }): Array<z.output<typeof attemptRow>> {
  const sql = `SELECT request_id AS requestId, attempt, status, error_code AS errorCode,
      CASE WHEN cost_total_usd IS NULL AND ${tokensSql} > 0 THEN NULL ELSE COALESCE(cost_total_usd, 0) END AS costUsd, session_id AS session
    FROM ledger WHERE started_at >= @since AND started_at < @until
      AND (request_id IN (SELECT request_id FROM ledger WHERE started_at >= @since AND started_at < @until AND attempt > 1)
        OR request_id IN (SELECT value FROM json_each(@flagged)))
    ORDER BY request_id, attempt`;
  return db
    .prepare(sql)
    .all({ ...query.range, flagged: JSON.stringify(query.flagged) })
    .map((record) => attemptRow.parse(record));
}

/**
 * Sessions with a breaker_trip event in the range: trips, the sum of the trips' cost_usd (null when none has one),
 * and the ledger spend of the session's rows started from `since` up to its first trip.
 */
export function trippedSessions(db: Database, range: TimeRange): Array<z.output<typeof tripRow>> {
  const sql = `WITH trips AS (
      SELECT session, MIN(at) AS firstTrip, COUNT(*) AS trips, SUM(cost_usd) AS stoppedUsd FROM events
      WHERE at >= @since AND at < @until AND kind = 'breaker_trip' AND session IS NOT NULL GROUP BY session)
    SELECT trips.session, firstTrip, trips, stoppedUsd,
      (SELECT TOTAL(cost_total_usd) FROM ledger WHERE started_at >= @since AND started_at < firstTrip AND session_id = trips.session) AS costBeforeTripUsd
    FROM trips ORDER BY trips.session`;
  return db
    .prepare(sql)
    .all(range)
    .map((record) => tripRow.parse(record));
}

/** Money the cache-breaker findings recorded as lost, per (UTC day, feature/model/kind@location), days inclusive. */
export function uncachedPrefixLosses(db: Database, days: { fromDay: string; toDay: string }): Array<z.output<typeof findingRow>> {
  const sql = `SELECT day, feature || '/' || model || ': ' || kind || ' @ ' || location AS prefix, lost_usd AS lostUsd
    FROM cache_breaker_findings WHERE day >= @fromDay AND day <= @toDay AND lost_usd IS NOT NULL ORDER BY day, prefix`;
  return db
    .prepare(sql)
    .all(days)
    .map((record) => findingRow.parse(record));
}

/** Per cache kind, the rows and their costs, classified as src/analytics/savings-rows.ts cacheKindOf does. */
export function cacheSavingsAggregates(db: Database, range: TimeRange): Array<z.output<typeof cacheRow>> {
  const sql = `SELECT kind, COUNT(*) AS rows, TOTAL(cost_uncached_usd) AS uncachedUsd, TOTAL(cost_total_usd) AS costUsd FROM (
      SELECT CASE WHEN cache_source = 'exact' THEN 'exact_cache' WHEN cache_source = 'semantic' THEN 'semantic_cache'
        WHEN cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens > 0 THEN 'prompt_cache' END AS kind,
        cost_uncached_usd, cost_total_usd
      FROM ledger WHERE started_at >= @since AND started_at < @until AND cost_uncached_usd IS NOT NULL AND cost_total_usd IS NOT NULL)
    WHERE kind IS NOT NULL GROUP BY kind ORDER BY kind`;
  return db
    .prepare(sql)
    .all(range)
    .map((record) => cacheRow.parse(record));
}

/** Spend of the rows in the range, optionally of one feature (null = rows without a feature). */
export function spendOf(db: Database, query: { range: TimeRange; feature?: string | null }): number {
  const where = query.feature === undefined ? '' : query.feature === null ? ' AND feature IS NULL' : ' AND feature = @feature';
  const split = splitFor(query.range);
  const sql = split === null
    ? `SELECT TOTAL(cost_total_usd) AS usd FROM ledger WHERE started_at >= @since AND started_at < @until${where}`
    : `SELECT TOTAL(cost_total_usd) AS usd FROM ${factsSql(split, ['feature'])} WHERE 1${where}`;
  const record = db.prepare(sql).get({ ...query.range, ...(query.feature == null ? {} : { feature: query.feature }) });
  return z.object({ usd: z.number() }).parse(record).usd;
}
