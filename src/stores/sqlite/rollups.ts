/**
 * The hourly ledger rollup (`ledger_hourly_features`, migration 0011-rollups; docs/decisions/0008-ledger-rollups.md):
 * writing it in the ledger's transactions, rebuilding hours after rows changed, and planning reads that take whole
 * hours from the rollup and only the rest from the raw ledger.
 *
 * Exactness contract: for any range, bucket bounds and filters on rollup dimensions, a query over `factsSql(...)`
 * returns the same counts and token sums as the same query over the raw ledger, and the same money sums up to
 * floating-point rounding (sums taken in a different order; SQLite's SUM/TOTAL are compensated, so the difference
 * stays many orders of magnitude under 1e-9 USD). A bound that is not on a UTC hour splits its hour: that hour is
 * read from the raw ledger (a time zone with a :30 or :45 offset reads one raw hour per bucket bound).
 */
import type { Database, Statement } from 'better-sqlite3';

export const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const hourOf = (at: number): number => at - (at % HOUR_MS);

const keyColumns = ['feature', 'team', 'app', 'key_id', 'customer', 'session_id', 'requested_model', 'served_model', 'provider', 'dialect', 'status_class', 'cache_source', 'service_tier'] as const;
type KeyColumn = (typeof keyColumns)[number];
const countColumns = ['rows', 'requests', 'errors', 'unpriced_rows', 'estimated_rows', 'cache_read_rows', 'input_tokens', 'cache_read_tokens', 'cache_write_5m_tokens', 'cache_write_1h_tokens', 'output_tokens', 'reasoning_tokens'] as const;
const moneyColumns = ['cost_input_usd', 'cost_cache_read_usd', 'cost_cache_write_usd', 'cost_output_usd', 'cost_request_usd', 'cost_total_usd', 'cost_uncached_usd', 'saved_usd'] as const;

/**
 * The rollup families (migrations 0011 and 0012), fewest cells first: a read uses the first whose key holds every
 * dimension it groups or filters by; a combination no family holds (feature with customer, say) reads the raw
 * ledger. Every family has an hourly table; the customer family also a daily one (whole UTC days).
 */
interface RollupFamily {
  key: readonly KeyColumn[];
  hourly: string;
  daily?: string;
}
const features: RollupFamily = { key: keyColumns.filter((column) => column !== 'key_id' && column !== 'customer' && column !== 'session_id'), hourly: 'ledger_hourly_features' };
const customers: RollupFamily = { key: ['customer', 'key_id', 'cache_source'], hourly: 'ledger_hourly_customers', daily: 'ledger_daily_customers' };
/** No cache source (a session's cells would triple): read only by heaviestSessions, not a spend dimension. */
const sessions: RollupFamily = { key: ['customer', 'session_id'], hourly: 'ledger_hourly_sessions' };
const families: readonly RollupFamily[] = [features, customers, sessions];

/**
 * Ledger columns the spend reads (admin-spend.ts, budgets) may group or filter by through a rollup: the features and
 * customers families, whose keys hold cache_source for the savings split. User, session and tags read the ledger.
 */
export const rollupDimensions: ReadonlySet<string> = new Set([features, customers].flatMap((family) => family.key.filter((column) => column !== 'status_class')));

/** One rollup table: its family's key, its time column and that column's grain. */
interface RollupTable {
  name: string;
  key: readonly KeyColumn[];
  column: 'hour' | 'day';
  grain: number;
}
const rollupTables: readonly RollupTable[] = families.flatMap((family) => [
  { name: family.hourly, key: family.key, column: 'hour' as const, grain: HOUR_MS },
  ...(family.daily === undefined ? [] : [{ name: family.daily, key: family.key, column: 'day' as const, grain: DAY_MS }]),
]);

const keyExpression = (column: KeyColumn): string => (column === 'status_class' ? 'status / 100' : column);

/** The same aggregation as the migrations' backfill; `where` picks the rows (a time range, or a batch's rowids). */
const aggregateSelectSql = (table: RollupTable, where: string): string => `SELECT
    started_at - started_at % ${table.grain}, json_array(${table.key.map(keyExpression).join(', ')}), ${table.key.map(keyExpression).join(', ')},
    COUNT(*), SUM(attempt = 1), SUM(status >= 400 OR error_code IS NOT NULL),
    SUM(cost_total_usd IS NULL AND input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens + output_tokens > 0),
    SUM(usage_estimated), SUM(cache_read_tokens > 0),
    SUM(input_tokens), SUM(cache_read_tokens), SUM(cache_write_5m_tokens), SUM(cache_write_1h_tokens), SUM(output_tokens), SUM(reasoning_tokens),
    SUM(cost_input_usd), SUM(cost_cache_read_usd), SUM(cost_cache_write_usd), SUM(cost_output_usd), SUM(cost_request_usd),
    SUM(cost_total_usd), SUM(cost_uncached_usd), SUM(cost_uncached_usd - cost_total_usd)
  FROM ledger WHERE ${where} GROUP BY 1, 2`;

/**
 * Adds the rows of a batch (by rowid range, just inserted in the same transaction) to a rollup table: SQLite groups
 * them and upserts each (time, key) cell. Grouping in SQL rather than in JavaScript keeps the ledger writer's CPU per
 * row low (bench/ledger-ingest.mjs).
 */
const batchUpsertSql = (table: RollupTable): string => {
  const columns = [table.column, 'dims', ...table.key, ...countColumns, ...moneyColumns];
  return `INSERT INTO ${table.name} (${columns.join(', ')}) ${aggregateSelectSql(table, 'rowid >= @first AND rowid <= @last')}
  ON CONFLICT (${table.column}, dims) DO UPDATE SET
  ${[...countColumns.map((c) => `${c} = ${c} + excluded.${c}`), ...moneyColumns.map((c) => `${c} = COALESCE(${c} + excluded.${c}, ${c}, excluded.${c})`)].join(',\n  ')}`;
};

export interface RollupWriter {
  /** Adds the ledger rows with rowids first..last (a batch just inserted): call inside the rows' transaction. */
  addRowids(first: number, last: number): void;
  /** Recomputes the rollups of [from, to) (UTC hour bounds; daily tables: the days holding them). Call inside a transaction. */
  rebuild(from: number, to: number): void;
  /** Recomputes the hours (and days) holding the given ledger rows (after their costs were rewritten). */
  rebuildHoursOf(ids: readonly string[]): void;
}

const floorTo = (at: number, grain: number): number => at - (((at % grain) + grain) % grain);
const ceilTo = (at: number, grain: number): number => (at % grain === 0 ? at : floorTo(at, grain) + grain);

export function createRollupWriter(db: Database): RollupWriter {
  const tables = rollupTables.map((table) => ({
    table,
    upsert: db.prepare(batchUpsertSql(table)),
    clear: db.prepare(`DELETE FROM ${table.name} WHERE ${table.column} >= @from AND ${table.column} < @to`),
    refill: db.prepare(`INSERT INTO ${table.name} ${aggregateSelectSql(table, 'started_at >= @from AND started_at < @to')}`),
  }));
  const hoursOf: Statement = db.prepare(`SELECT DISTINCT started_at - started_at % ${HOUR_MS} FROM ledger WHERE id IN (SELECT value FROM json_each(?))`).pluck();
  const rebuildCells = (entry: (typeof tables)[number], from: number, to: number): void => {
    const range = { from: floorTo(from, entry.table.grain), to: ceilTo(to, entry.table.grain) };
    entry.clear.run(range);
    entry.refill.run(range);
  };
  return {
    addRowids(first, last) {
      for (const { upsert } of tables) upsert.run({ first, last });
    },
    rebuild(from, to) {
      for (const entry of tables) rebuildCells(entry, from, to);
    },
    rebuildHoursOf(ids) {
      const hours = hoursOf.all(JSON.stringify(ids)).filter((hour): hour is number => typeof hour === 'number');
      for (const entry of tables) {
        for (const cell of new Set(hours.map((hour) => floorTo(hour, entry.table.grain)))) rebuildCells(entry, cell, cell + entry.table.grain);
      }
    },
  };
}

/**
 * Time intervals [from, to) of a read: whole UTC days no bound cuts (daily tables), the other whole hours no bound
 * cuts (hourly tables; a family without a daily table reads the days from its hourly table), and the rest from the
 * raw ledger.
 */
export interface RangeSplit {
  days: Array<[number, number]>;
  hours: Array<[number, number]>;
  raw: Array<[number, number]>;
}

/** More split hours than this and the raw ledger is read for the whole range (e.g. hourly buckets at +05:30). */
const MAX_SPLIT_HOURS = 64;

function merge(intervals: Array<[number, number]>): Array<[number, number]> {
  const merged: Array<[number, number]> = [];
  for (const [from, to] of intervals) {
    const last = merged.at(-1);
    if (last !== undefined && last[1] === from) last[1] = to;
    else if (to > from) merged.push([from, to]);
  }
  return merged;
}
const union = (...lists: Array<Array<[number, number]>>): Array<[number, number]> => merge(lists.flat().sort((a, b) => a[0] - b[0]));

/**
 * How to read [since, until) bucketed by `bounds`: every UTC day with no instant of `since`, `until` or a bound
 * strictly inside it is a whole day; every other UTC hour with none strictly inside it a whole hour; the rest comes
 * from the raw ledger. null when the rollups would not help (no whole hour, or too many split hours): the caller
 * reads the raw ledger as before.
 */
export function splitRange(since: number, until: number, bounds: readonly number[] = []): RangeSplit | null {
  if (!(since < until) || !Number.isFinite(since) || !Number.isFinite(until)) return null;
  const instants = [since, until, ...bounds.filter((b) => b > since && b < until)];
  const split = [...new Set(instants.filter((at) => at % HOUR_MS !== 0).map(hourOf))].sort((a, b) => a - b);
  if (split.length > MAX_SPLIT_HOURS) return null;
  const cutDays = new Set(instants.filter((at) => at % DAY_MS !== 0).map((at) => floorTo(at, DAY_MS)));
  const first = ceilTo(since, HOUR_MS);
  const last = hourOf(until);
  const whole: Array<[number, number]> = [];
  let cursor = first;
  for (const hour of split) {
    if (hour >= cursor && hour < last) {
      whole.push([cursor, hour]);
      cursor = hour + HOUR_MS;
    }
  }
  whole.push([cursor, last]);
  const wholeHours = merge(whole);
  if (wholeHours.length === 0) return null;
  const days: Array<[number, number]> = [];
  const hours: Array<[number, number]> = [];
  const cuts = [...cutDays].sort((a, b) => a - b);
  for (const [from, to] of wholeHours) {
    const firstDay = ceilTo(from, DAY_MS);
    const lastDay = floorTo(to, DAY_MS);
    if (lastDay <= firstDay) {
      hours.push([from, to]);
      continue;
    }
    // Whole days between the cut days, which are read by the hour (cut days are few: at most the split hours' days).
    hours.push([from, firstDay]);
    let cursor = firstDay;
    for (const day of cuts) {
      if (day < cursor || day >= lastDay) continue;
      days.push([cursor, day]);
      hours.push([day, day + DAY_MS]);
      cursor = day + DAY_MS;
    }
    days.push([cursor, lastDay]);
    hours.push([lastDay, to]);
  }
  const raw = merge(split.map((hour): [number, number] => [Math.max(hour, since), Math.min(hour + HOUR_MS, until)]));
  return { days: merge(days), hours: merge(hours), raw };
}

/** Where a read may take its rows: `auto` (default) = the rollup when it can answer; `ledger` = the raw rows only. */
export type ReadSource = 'auto' | 'ledger';

/** splitRange for a range that may pin its source to the raw ledger (benchmark baselines, equivalence tests). */
export function splitFor(range: { since: number; until: number; source?: ReadSource }, bounds?: readonly number[]): RangeSplit | null {
  return range.source === 'ledger' ? null : splitRange(range.since, range.until, bounds);
}

const literal = (at: number): string => {
  if (!Number.isFinite(at)) throw new RangeError(`rollups: not a finite instant: ${at}`);
  return String(at);
};
const within = (column: string, intervals: ReadonlyArray<[number, number]>): string =>
  intervals.map(([from, to]) => `(${column} >= ${literal(from)} AND ${column} < ${literal(to)})`).join(' OR ');

const tokensSql = 'input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens + output_tokens';
const factCounts = countColumns.join(', ');
const factMoney = ['cost_total_usd', 'cost_uncached_usd', 'saved_usd'].join(', ');

/**
 * A FROM-clause subquery `facts` with one row per raw ledger row of the split's raw intervals and one per rollup
 * cell of its whole days and hours, with the same columns: `at` (started_at, or the day / hour start), the
 * dimensions of the first rollup family that has every one of `dimensions` (ledger column names), the count
 * columns (1 / 0 per raw row) and
 * cost_total_usd, cost_uncached_usd, saved_usd (NULL = unknown). Aggregate it with SUM over counts and TOTAL over
 * money. All text is fixed; instants are numbers written as literals. When no rollup holds every one of
 * `dimensions` (feature and customer, say), the whole range is read from the raw ledger.
 */
export function factsSql(split: RangeSplit, dimensions: readonly string[]): string {
  const family = families.find((f) => dimensions.every((d) => (f.key as readonly string[]).includes(d)));
  // No rollup holds these dimensions together: the whole range is read from the raw ledger.
  const columns = family?.key ?? keyColumns;
  const dimensionList = columns.filter((column) => column !== 'status_class').join(', ');
  const raw = family === undefined ? union(split.days, split.hours, split.raw) : split.raw;
  const rawArm = `SELECT started_at AS at, ${dimensionList}, 1 AS rows, attempt = 1 AS requests, (status >= 400 OR error_code IS NOT NULL) AS errors,
      (cost_total_usd IS NULL AND ${tokensSql} > 0) AS unpriced_rows, usage_estimated AS estimated_rows, cache_read_tokens > 0 AS cache_read_rows,
      input_tokens, cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens, output_tokens, reasoning_tokens,
      cost_total_usd, cost_uncached_usd, cost_uncached_usd - cost_total_usd AS saved_usd
    FROM ledger WHERE ${within('started_at', raw)}`;
  if (family === undefined) return `(${rawArm})`;
  const arm = (table: string, column: string, intervals: Array<[number, number]>): string[] =>
    intervals.length === 0 ? [] : [`SELECT ${column} AS at, ${dimensionList}, ${factCounts}, ${factMoney} FROM ${table} WHERE ${within(column, intervals)}`];
  const arms = family.daily === undefined
    ? arm(family.hourly, 'hour', union(split.days, split.hours))
    : [...arm(family.daily, 'day', split.days), ...arm(family.hourly, 'hour', split.hours)];
  if (split.raw.length > 0) arms.push(rawArm);
  return `(${arms.join(' UNION ALL ')})`;
}

/** Index of the bucket holding `column`, as a balanced CASE tree over integer bounds (see admin-spend.ts). */
export function bucketCase(column: string, bounds: readonly number[], lo = 0, hi = bounds.length - 1): string {
  if (hi - lo <= 1) return String(lo);
  const mid = (lo + hi) >> 1;
  return `CASE WHEN ${column} < ${Math.trunc(bounds[mid] ?? 0)} THEN ${bucketCase(column, bounds, lo, mid)} ELSE ${bucketCase(column, bounds, mid, hi)} END`;
}
