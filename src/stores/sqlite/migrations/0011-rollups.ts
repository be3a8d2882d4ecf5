/**
 * Schema version 11: the pre-aggregated ledger the admin API and dashboard read (docs/decisions/0008-ledger-rollups.md):
 * `ledger_hourly_features`, the ledger's measures at the UTC hour keyed by feature, team, app, requested and served
 * model, provider, dialect, status class (status / 100), cache source and service tier. No customer, key, user, session
 * or tags (their product with features and models is close to one cell per row). Measures are sums of the ledger's own
 * columns (names kept, so one query reads either); money sums are NULL while no row of the cell had that cost
 * (unknown, never 0), and rows with tokens but no price are counted in unpriced_rows. `dims` is the JSON array of the
 * key's values: the upsert target (SQLite treats NULLs as distinct in a UNIQUE constraint, so the nullable columns
 * cannot be it).
 *
 * The rollup is maintained in the ledger's write transaction (src/stores/sqlite/rollups.ts) and BACKFILLED HERE from
 * the rows already in the ledger, inside the migration's transaction: a file is never at version 11 with a partial
 * rollup. rollups.test.ts checks the backfill equals what ingest builds.
 */
const fullKey = ['feature', 'team', 'app', 'key_id', 'customer', 'requested_model', 'served_model', 'provider', 'dialect', 'status_class', 'cache_source', 'service_tier'];
const featureKey = fullKey.filter((column) => column !== 'key_id' && column !== 'customer');
const notNull = new Set(['requested_model', 'provider', 'dialect', 'status_class', 'service_tier']);
const counts = ['rows', 'requests', 'errors', 'unpriced_rows', 'estimated_rows', 'cache_read_rows', 'input_tokens', 'cache_read_tokens', 'cache_write_5m_tokens', 'cache_write_1h_tokens', 'output_tokens', 'reasoning_tokens'];
const money = ['cost_input_usd', 'cost_cache_read_usd', 'cost_cache_write_usd', 'cost_output_usd', 'cost_request_usd', 'cost_total_usd', 'cost_uncached_usd', 'saved_usd'];
const expression = (column: string): string => (column === 'status_class' ? 'status / 100' : column);

/**
 * The CREATE TABLE + backfill of one rollup table (also used by 0012 for tables with other keys and a daily grain):
 * the time column is `hour` (UTC hour start) or, with `grain: 'day'`, `day` (UTC day start).
 */
export const rollupTableSql = (name: string, key: readonly string[], grain: 'hour' | 'day' = 'hour'): string => `
CREATE TABLE ${name} (
  ${grain} INTEGER NOT NULL,
  dims TEXT NOT NULL,
  ${key.map((column) => `${column} ${column === 'status_class' ? 'INTEGER' : 'TEXT'}${notNull.has(column) ? ' NOT NULL' : ''}`).join(',\n  ')},
  ${counts.map((column) => `${column} INTEGER NOT NULL`).join(',\n  ')},
  ${money.map((column) => `${column} REAL`).join(',\n  ')},
  PRIMARY KEY (${grain}, dims)
) WITHOUT ROWID;
INSERT INTO ${name} SELECT
  started_at - started_at % ${grain === 'hour' ? 3_600_000 : 86_400_000}, json_array(${key.map(expression).join(', ')}), ${key.map(expression).join(', ')},
  COUNT(*), SUM(attempt = 1), SUM(status >= 400 OR error_code IS NOT NULL),
  SUM(cost_total_usd IS NULL AND input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens + output_tokens > 0),
  SUM(usage_estimated), SUM(cache_read_tokens > 0),
  SUM(input_tokens), SUM(cache_read_tokens), SUM(cache_write_5m_tokens), SUM(cache_write_1h_tokens), SUM(output_tokens), SUM(reasoning_tokens),
  SUM(cost_input_usd), SUM(cost_cache_read_usd), SUM(cost_cache_write_usd), SUM(cost_output_usd), SUM(cost_request_usd),
  SUM(cost_total_usd), SUM(cost_uncached_usd), SUM(cost_uncached_usd - cost_total_usd)
FROM ledger GROUP BY 1, 2;`;

export const sql = `${rollupTableSql('ledger_hourly_features', featureKey)}
`;
