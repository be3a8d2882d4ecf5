/**
 * Schema version 5: cache accounting. `cache_source` says which response cache answered a row ('exact' or
 * 'semantic'; NULL = an upstream call), `cost_uncached_usd` what the row would have cost with no cache at all
 * (response cache or provider prompt cache), so the money a cache saved is cost_uncached_usd - cost_total_usd,
 * exactly. Rows written before this version have NULL in both: their savings are unknown, not zero.
 */
export const sql = `
ALTER TABLE ledger ADD COLUMN cache_source TEXT;
ALTER TABLE ledger ADD COLUMN cost_uncached_usd REAL;
`;
