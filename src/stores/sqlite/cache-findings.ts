/**
 * Cache-breaker findings in the `cache_breaker_findings` table (migration 0007, docs/cache-diagnosis.md).
 * `upsertCacheFindings` adds a batch of aggregates to the stored counters in one transaction (the gateway's
 * diagnosis policy flushes every 30 s and on shutdown); `listCacheFindings` reads the daily rows back for the CLI.
 */
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { breakerKinds, type CacheBreakerFinding } from '../../spec/cache-findings.js';

export type CacheFindingRow = CacheBreakerFinding;

const rowSchema = z
  .object({
    day: z.string(),
    feature: z.string(),
    model: z.string(),
    kind: z.enum(breakerKinds),
    location: z.string(),
    occurrences: z.number().int(),
    priced_occurrences: z.number().int(),
    tokens_after: z.number().int(),
    lost_usd: z.number().nullable(),
    char_offset: z.number().int(),
    token_offset: z.number().int(),
    example: z.string(),
    last_seen_at: z.number(),
  })
  .transform(
    (r): CacheFindingRow => ({
      day: r.day,
      feature: r.feature,
      model: r.model,
      kind: r.kind,
      location: r.location,
      occurrences: r.occurrences,
      pricedOccurrences: r.priced_occurrences,
      tokensAfter: r.tokens_after,
      lostUsd: r.lost_usd,
      charOffset: r.char_offset,
      tokenOffset: r.token_offset,
      example: r.example,
      lastSeenAt: r.last_seen_at,
    }),
  );

const columns = 'day, feature, model, kind, location, occurrences, priced_occurrences, tokens_after, lost_usd, char_offset, token_offset, example, last_seen_at';

/** Counters add up; the offsets and the example follow the latest occurrence; money stays NULL until one is priced. */
const upsertSql = `
INSERT INTO cache_breaker_findings (${columns})
VALUES (@day, @feature, @model, @kind, @location, @occurrences, @pricedOccurrences, @tokensAfter, @lostUsd, @charOffset, @tokenOffset, @example, @lastSeenAt)
ON CONFLICT (day, feature, model, kind, location) DO UPDATE SET
  occurrences = occurrences + excluded.occurrences,
  priced_occurrences = priced_occurrences + excluded.priced_occurrences,
  tokens_after = tokens_after + excluded.tokens_after,
  lost_usd = CASE WHEN excluded.lost_usd IS NULL THEN lost_usd ELSE COALESCE(lost_usd, 0) + excluded.lost_usd END,
  char_offset = CASE WHEN excluded.last_seen_at >= last_seen_at THEN excluded.char_offset ELSE char_offset END,
  token_offset = CASE WHEN excluded.last_seen_at >= last_seen_at THEN excluded.token_offset ELSE token_offset END,
  example = CASE WHEN excluded.last_seen_at >= last_seen_at THEN excluded.example ELSE example END,
  last_seen_at = MAX(last_seen_at, excluded.last_seen_at)`;

/** Returns the writer the diagnosis policy flushes to: one transaction per batch. */
export function createCacheFindingsWriter(db: Database): (rows: readonly CacheFindingRow[]) => void {
  const upsert = db.prepare(upsertSql);
  const all = db.transaction((rows: readonly CacheFindingRow[]) => {
    for (const row of rows) upsert.run(row);
  });
  return (rows) => {
    if (rows.length > 0) all(rows);
  };
}

export function upsertCacheFindings(db: Database, rows: readonly CacheFindingRow[]): void {
  createCacheFindingsWriter(db)(rows);
}

/** Daily rows from `sinceDay` (YYYY-MM-DD, inclusive), optionally of one feature; oldest day first. */
export function listCacheFindings(db: Database, query: { sinceDay?: string; feature?: string } = {}): CacheFindingRow[] {
  const where: string[] = [];
  const params: string[] = [];
  if (query.sinceDay !== undefined) {
    where.push('day >= ?');
    params.push(query.sinceDay);
  }
  if (query.feature !== undefined) {
    where.push('feature = ?');
    params.push(query.feature);
  }
  const sql = `SELECT ${columns} FROM cache_breaker_findings${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY day, feature, model, kind, location`;
  return db
    .prepare(sql)
    .all(...params)
    .map((row) => rowSchema.parse(row));
}
