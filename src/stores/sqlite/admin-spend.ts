/**
 * Spend aggregates for the admin API (GET /admin/v1/spend, /spend/top, /savings): sums of ledger rows over a time
 * range, filtered and grouped by any attribution dimension, optionally bucketed by caller-given time bounds (the
 * caller computes the bounds in its time zone, so daylight-saving days are 23 or 25 hours long here without SQLite
 * knowing about zones). Every SQL fragment comes from fixed tables below; every value is a bound parameter.
 * Costs follow the ledger's rules: TOTAL() skips NULL costs, so unpriced rows add no USD and are counted apart;
 * savings are cost_uncached_usd - cost_total_usd per row, split into response cache (rows a cache answered) and
 * provider prompt cache (upstream calls), exactly as src/stores/sqlite/sqlite-ledger-store.ts does.
 * Whenever one hourly rollup holds the group-by and every filter, whole UTC hours are read from it and only split
 * hours from the ledger (src/stores/sqlite/rollups.ts); user and tag dimensions, and combinations no rollup holds
 * (feature with customer, say), read the ledger.
 */
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { scopeColumns } from './ledger-spend.js';
import { bucketCase, factsSql, rollupDimensions, splitFor, type ReadSource } from './rollups.js';

/** The ledger column of each groupable / filterable dimension; `tag:<name>` dimensions read the tags JSON. */
export const spendColumns = { ...scopeColumns, served_model: 'served_model', provider: 'provider' } as const;

export type SpendColumn = keyof typeof spendColumns;
export type SpendDimension = { kind: 'column'; name: SpendColumn } | { kind: 'tag'; name: string };

/** Rows whose dimension value is one of `values` (several filters: all must hold). */
export interface SpendFilter {
  dimension: SpendDimension;
  values: readonly string[];
}

export interface SpendRange {
  /** Epoch ms, inclusive. */
  since: number;
  /** Epoch ms, exclusive. */
  until: number;
  filters: readonly SpendFilter[];
  /** Default `auto`: whole hours from the hourly rollup when it can answer; `ledger` pins the raw rows. */
  source?: ReadSource;
}

const tokensSql = 'input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens + output_tokens';

const metricsSql = `COUNT(*) AS rows,
  COALESCE(SUM(attempt = 1), 0) AS requests,
  COALESCE(SUM(status >= 400 OR error_code IS NOT NULL), 0) AS errors,
  TOTAL(cost_total_usd) AS costUsd,
  TOTAL(cost_uncached_usd) AS costUncachedUsd,
  COALESCE(SUM(cost_total_usd IS NULL AND ${tokensSql} > 0), 0) AS unpricedRows,
  COALESCE(SUM(usage_estimated), 0) AS estimatedRows,
  COALESCE(SUM(input_tokens), 0) AS inputTokens,
  COALESCE(SUM(cache_read_tokens), 0) AS cacheReadTokens,
  COALESCE(SUM(cache_write_5m_tokens), 0) AS cacheWrite5mTokens,
  COALESCE(SUM(cache_write_1h_tokens), 0) AS cacheWrite1hTokens,
  COALESCE(SUM(output_tokens), 0) AS outputTokens,
  COALESCE(SUM(reasoning_tokens), 0) AS reasoningTokens,
  COALESCE(SUM(cache_source = 'exact'), 0) AS exactCacheHits,
  COALESCE(SUM(cache_source = 'semantic'), 0) AS semanticCacheHits,
  TOTAL(CASE WHEN cache_source IS NOT NULL THEN cost_uncached_usd - cost_total_usd END) AS responseCacheSavedUsd,
  TOTAL(CASE WHEN cache_source IS NULL THEN cost_uncached_usd - cost_total_usd END) AS promptCacheSavedUsd`;

export const spendMetricsSchema = z.object({
  rows: z.number(),
  requests: z.number(),
  errors: z.number(),
  costUsd: z.number(),
  costUncachedUsd: z.number(),
  unpricedRows: z.number(),
  estimatedRows: z.number(),
  inputTokens: z.number(),
  cacheReadTokens: z.number(),
  cacheWrite5mTokens: z.number(),
  cacheWrite1hTokens: z.number(),
  outputTokens: z.number(),
  reasoningTokens: z.number(),
  exactCacheHits: z.number(),
  semanticCacheHits: z.number(),
  responseCacheSavedUsd: z.number(),
  promptCacheSavedUsd: z.number(),
});
export type SpendMetrics = z.output<typeof spendMetricsSchema>;

const groupValue = z.union([z.string(), z.number()]).nullable().transform((value) => (value === null ? null : String(value)));
const groupRowSchema = spendMetricsSchema.extend({ grp: groupValue });
const bucketRowSchema = spendMetricsSchema.extend({ grp: groupValue, bucket: z.number() });

/** SQL expression of a dimension; a tag's JSON path is a bound parameter named `param`. */
function expressionOf(dimension: SpendDimension, param: string, params: Record<string, unknown>): string {
  if (dimension.kind === 'column') return spendColumns[dimension.name];
  params[param] = `$.${JSON.stringify(dimension.name)}`;
  return `json_extract(tags, @${param})`;
}

function filtersOf(range: SpendRange, params: Record<string, unknown>): string[] {
  return range.filters.map((filter, index) => {
    const expression = expressionOf(filter.dimension, `fpath${index}`, params);
    params[`f${index}`] = JSON.stringify(filter.values);
    return `${expression} IN (SELECT value FROM json_each(@f${index}))`;
  });
}

function whereOf(range: SpendRange, params: Record<string, unknown>): string {
  params.since = range.since;
  params.until = range.until;
  return ['started_at >= @since', 'started_at < @until', ...filtersOf(range, params)].join(' AND ');
}

const rolledUp = (dimension: SpendDimension | null): boolean => dimension === null || (dimension.kind === 'column' && rollupDimensions.has(spendColumns[dimension.name]));

/**
 * `FROM facts WHERE <filters, extra>` reading whole hours from the rollup, when the group-by, every filter and the
 * bucket bounds allow it (rollups.ts splitRange); null = read the raw ledger.
 */
function rollupFrom(range: SpendRange, groupBy: SpendDimension | null, params: Record<string, unknown>, options: { bounds?: readonly number[]; extra?: (group: string) => string } = {}): string | null {
  if (!rolledUp(groupBy) || !range.filters.every((filter) => rolledUp(filter.dimension))) return null;
  const split = splitFor(range, options.bounds);
  if (split === null) return null;
  const where = filtersOf(range, params);
  if (options.extra !== undefined && groupBy !== null) where.push(options.extra(expressionOf(groupBy, 'gpath', params)));
  const dimensions = [groupBy, ...range.filters.map((filter) => filter.dimension)].flatMap((d) => (d === null ? [] : [expressionOf(d, 'unused', {})]));
  return `FROM ${factsSql(split, dimensions)} AS facts${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}`;
}

/** Rows whose group is one of `groups` (spendBuckets): a bound JSON list, plus NULL when asked for. */
function groupsIn(groups: ReadonlyArray<string | null>, params: Record<string, unknown>): (group: string) => string {
  params.groups = JSON.stringify(groups.filter((value) => value !== null));
  params.hasNull = groups.includes(null) ? 1 : 0;
  return (group) => `(${group} IN (SELECT value FROM json_each(@groups)) OR (@hasNull = 1 AND ${group} IS NULL))`;
}

/** metricsSql over rollups.ts facts: counts are summed, money TOTALled (NULL = unknown, skipped). */
const factMetricsSql = `SUM(rows) AS rows,
  SUM(requests) AS requests,
  SUM(errors) AS errors,
  TOTAL(cost_total_usd) AS costUsd,
  TOTAL(cost_uncached_usd) AS costUncachedUsd,
  SUM(unpriced_rows) AS unpricedRows,
  SUM(estimated_rows) AS estimatedRows,
  SUM(input_tokens) AS inputTokens,
  SUM(cache_read_tokens) AS cacheReadTokens,
  SUM(cache_write_5m_tokens) AS cacheWrite5mTokens,
  SUM(cache_write_1h_tokens) AS cacheWrite1hTokens,
  SUM(output_tokens) AS outputTokens,
  SUM(reasoning_tokens) AS reasoningTokens,
  SUM(CASE WHEN cache_source = 'exact' THEN rows ELSE 0 END) AS exactCacheHits,
  SUM(CASE WHEN cache_source = 'semantic' THEN rows ELSE 0 END) AS semanticCacheHits,
  TOTAL(CASE WHEN cache_source IS NOT NULL THEN saved_usd END) AS responseCacheSavedUsd,
  TOTAL(CASE WHEN cache_source IS NULL THEN saved_usd END) AS promptCacheSavedUsd`;

/**
 * Totals per group (or one total when `groupBy` is null), most expensive first (ties: more rows, then the group
 * value ascending, NULL first), `limit` groups from `offset`. A row without a value for the dimension is in the
 * group `null`.
 */
export function spendGroups(db: Database, query: { range: SpendRange; groupBy: SpendDimension | null; limit: number; offset: number }): Array<SpendMetrics & { group: string | null }> {
  const params: Record<string, unknown> = { limit: query.limit, offset: query.offset };
  const group = query.groupBy === null ? 'NULL' : expressionOf(query.groupBy, 'gpath', params);
  const from = rollupFrom(query.range, query.groupBy, params);
  const body = from === null ? `${metricsSql} FROM ledger WHERE ${whereOf(query.range, params)}` : `${factMetricsSql} ${from}`;
  const sql = `SELECT ${group} AS grp, ${body}
    GROUP BY 1 ORDER BY costUsd DESC, rows DESC, grp ASC LIMIT @limit OFFSET @offset`;
  return db
    .prepare(sql)
    .all(params)
    .map((record) => {
      const { grp, ...metrics } = groupRowSchema.parse(record);
      return { group: grp, ...metrics };
    })
    .filter((row) => query.groupBy !== null || row.rows > 0);
}

/**
 * Totals per (group, bucket) for the given groups over buckets [bounds[i], bounds[i + 1]); only non-empty cells are
 * returned. The range must lie within [bounds[0], bounds[n]). A row's bucket is a balanced CASE tree over the bounds
 * (rollups.ts bucketCase: log2(n) comparisons per row, one scan, no join; the bounds are integers written as literals).
 */
export function spendBuckets(db: Database, query: { range: SpendRange; groupBy: SpendDimension | null; groups: ReadonlyArray<string | null> | 'all'; bounds: readonly number[] }): Array<SpendMetrics & { group: string | null; bucket: number }> {
  const params: Record<string, unknown> = {};
  const group = query.groupBy === null ? 'NULL' : expressionOf(query.groupBy, 'gpath', params);
  const inGroups = query.groupBy === null || query.groups === 'all' ? undefined : groupsIn(query.groups, params);
  const from = rollupFrom(query.range, query.groupBy, params, { bounds: query.bounds, ...(inGroups === undefined ? {} : { extra: inGroups }) });
  const rawWhere = (): string => [whereOf(query.range, params), ...(inGroups === undefined ? [] : [inGroups(group)])].join(' AND ');
  const bucket = bucketCase(from === null ? 'started_at' : 'at', query.bounds);
  const body = from === null ? `${metricsSql} FROM ledger WHERE ${rawWhere()}` : `${factMetricsSql} ${from}`;
  const sql = `SELECT ${group} AS grp, ${bucket} AS bucket, ${body}
    GROUP BY 1, 2`;
  return db
    .prepare(sql)
    .all(params)
    .map((record) => {
      const { grp, ...rest } = bucketRowSchema.parse(record);
      return { group: grp, ...rest };
    });
}

/**
 * Dimensions whose values the configuration bounds (a few dozen features, teams, apps, models, providers): a spend
 * series grouped by one of them reads every (group, bucket) cell in one statement and adds the group totals and the
 * total up in JavaScript, instead of three statements over the same rows.
 */
const fewGroups: ReadonlySet<SpendColumn> = new Set(['team', 'app', 'feature', 'model', 'served_model', 'provider']);

export const zeroMetrics = (): SpendMetrics => ({ rows: 0, requests: 0, errors: 0, costUsd: 0, costUncachedUsd: 0, unpricedRows: 0, estimatedRows: 0, inputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 0, reasoningTokens: 0, exactCacheHits: 0, semanticCacheHits: 0, responseCacheSavedUsd: 0, promptCacheSavedUsd: 0 });
const metricKeys = Object.keys(zeroMetrics()) as Array<keyof SpendMetrics>;
function addInto(sum: SpendMetrics, cell: SpendMetrics): void {
  for (const key of metricKeys) sum[key] += cell[key];
}
/** spendGroups' order: most expensive first, then more rows, then the group value ascending with null first. */
const byCost = (a: SpendMetrics & { group: string | null }, b: SpendMetrics & { group: string | null }): number =>
  b.costUsd - a.costUsd || b.rows - a.rows || (a.group === b.group ? 0 : a.group === null ? -1 : b.group === null ? 1 : a.group < b.group ? -1 : 1);

export interface SpendSeries {
  /** The page of groups (most expensive first), `limit` from `offset`, with their totals. */
  groups: Array<SpendMetrics & { group: string | null }>;
  /** Whether groups follow the page. */
  more: boolean;
  /** Non-empty (group, bucket) cells of the page's groups. */
  cells: Array<SpendMetrics & { group: string | null; bucket: number }>;
  /** Every row of the range, whatever its group. */
  total: SpendMetrics;
}

/**
 * GET /spend in one call: a page of groups with their totals, their cells per bucket and the total. One statement
 * when there is no group-by or its groups are few (fewGroups); otherwise the page, its cells and the total are three
 * statements, so a page of customers does not bring every customer's cells into memory.
 */
export function spendSeries(db: Database, query: { range: SpendRange; groupBy: SpendDimension | null; limit: number; offset: number; bounds: readonly number[] }): SpendSeries {
  const { range, groupBy, limit, offset, bounds } = query;
  if (groupBy === null || (groupBy.kind === 'column' && fewGroups.has(groupBy.name))) {
    const cells = spendBuckets(db, { range, groupBy, groups: 'all', bounds });
    const total = zeroMetrics();
    const totals = new Map<string | null, SpendMetrics & { group: string | null }>();
    for (const cell of cells) {
      addInto(total, cell);
      let sum = totals.get(cell.group);
      if (sum === undefined) totals.set(cell.group, (sum = { ...zeroMetrics(), group: cell.group }));
      addInto(sum, cell);
    }
    const ranked = [...totals.values()].filter((group) => group.rows > 0).sort(byCost);
    const groups = ranked.slice(offset, offset + limit);
    const onPage = new Set(groups.map((group) => group.group));
    return { groups, more: ranked.length > offset + limit, cells: cells.filter((cell) => onPage.has(cell.group)), total };
  }
  const page = spendGroups(db, { range, groupBy, limit: limit + 1, offset });
  const groups = page.slice(0, limit);
  const cells = groups.length === 0 ? [] : spendBuckets(db, { range, groupBy, groups: groups.map((group) => group.group), bounds });
  const [total] = spendGroups(db, { range, groupBy: null, limit: 1, offset: 0 });
  return { groups, more: page.length > limit, cells, total: total ?? zeroMetrics() };
}

const sourceRowSchema = z.object({ source: z.string(), hits: z.number(), savedUsd: z.number(), costUsd: z.number(), costUncachedUsd: z.number() });

/**
 * Savings by source over a range: `exact` and `semantic` (rows a response cache answered: hits = rows) and
 * `prompt_cache` (upstream calls; hits = rows that read cached input tokens). Rows with no uncached cost (unpriced,
 * or written before cache accounting) save nothing rather than a guess.
 */
export function savingsBySource(db: Database, range: SpendRange): Array<z.output<typeof sourceRowSchema>> {
  const params: Record<string, unknown> = {};
  const from = rollupFrom(range, null, params);
  const sql = from === null
    ? `SELECT COALESCE(cache_source, 'prompt_cache') AS source,
      COALESCE(SUM(CASE WHEN cache_source IS NOT NULL THEN 1 ELSE cache_read_tokens > 0 END), 0) AS hits,
      TOTAL(cost_uncached_usd - cost_total_usd) AS savedUsd,
      TOTAL(cost_total_usd) AS costUsd,
      TOTAL(cost_uncached_usd) AS costUncachedUsd
    FROM ledger WHERE ${whereOf(range, params)} GROUP BY 1 ORDER BY 1`
    : `SELECT COALESCE(cache_source, 'prompt_cache') AS source,
      SUM(CASE WHEN cache_source IS NOT NULL THEN rows ELSE cache_read_rows END) AS hits,
      TOTAL(saved_usd) AS savedUsd, TOTAL(cost_total_usd) AS costUsd, TOTAL(cost_uncached_usd) AS costUncachedUsd
    ${from} GROUP BY 1 ORDER BY 1`;
  return db
    .prepare(sql)
    .all(params)
    .map((record) => sourceRowSchema.parse(record));
}
