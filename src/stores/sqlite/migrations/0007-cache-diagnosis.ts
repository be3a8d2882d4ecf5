/**
 * Schema version 7: cache-breaker diagnosis (docs/cache-diagnosis.md). One row per (UTC day, feature, model, kind,
 * location) with counters the gateway upserts when it flushes its in-memory aggregates: occurrences, tokens after the
 * breaker that could have been cache reads, and the money lost (NULL while no occurrence was priced). The offsets and
 * the example are those of the latest occurrence. No prompt content is stored: the example is a masked shape
 * (`dddd-dd-ddTdd:dd:ddZ`, `<uuid>`, `<text×5>`).
 */
export const sql = `
CREATE TABLE cache_breaker_findings (
  day TEXT NOT NULL,
  feature TEXT NOT NULL,
  model TEXT NOT NULL,
  kind TEXT NOT NULL,
  location TEXT NOT NULL,
  occurrences INTEGER NOT NULL,
  priced_occurrences INTEGER NOT NULL,
  tokens_after INTEGER NOT NULL,
  lost_usd REAL,
  char_offset INTEGER NOT NULL,
  token_offset INTEGER NOT NULL,
  example TEXT NOT NULL,
  last_seen_at INTEGER NOT NULL,
  PRIMARY KEY (day, feature, model, kind, location)
) WITHOUT ROWID;
`;
