/**
 * The aggregates waste.ts takes, computed from ledger rows in memory: the reference for the SQL the admin API runs
 * (same classification, same sums), and what the CLI uses on imported logs.
 */
import type { LedgerRow } from '../spec/ledger.js';
import type { CacheKind, CacheSavingsAggregate, Saving } from './waste.js';

export type CacheRow = Pick<LedgerRow, 'cacheSource' | 'cacheReadTokens' | 'cacheWrite5mTokens' | 'cacheWrite1hTokens' | 'costUncachedUsd' | 'costTotalUsd'>;

/**
 * A row answered by a response cache counts for that cache (`exact_cache` / `semantic_cache`); a row that went
 * upstream with provider prompt-cache reads or writes counts for `prompt_cache` (writes alone cost more than no cache,
 * so leaving them out would overstate the saving). Other rows and unpriced rows (either cost null) count nowhere.
 */
export function cacheKindOf(row: CacheRow): CacheKind | null {
  if (row.cacheSource === 'exact') return 'exact_cache';
  if (row.cacheSource === 'semantic') return 'semantic_cache';
  if (row.cacheReadTokens + row.cacheWrite5mTokens + row.cacheWrite1hTokens > 0) return 'prompt_cache';
  return null;
}

export function cacheSavingsOfRows(rows: CacheRow[]): CacheSavingsAggregate[] {
  const sums = new Map<CacheKind, CacheSavingsAggregate>();
  for (const row of rows) {
    const kind = cacheKindOf(row);
    if (kind === null || row.costUncachedUsd === null || row.costTotalUsd === null) continue;
    const agg = sums.get(kind) ?? { kind, rows: 0, uncachedUsd: 0, costUsd: 0 };
    agg.rows += 1;
    agg.uncachedUsd += row.costUncachedUsd;
    agg.costUsd += row.costTotalUsd;
    sums.set(kind, agg);
  }
  return [...sums.values()];
}

/** A routed request: what it cost, and what the model the caller asked for would have cost for the same usage. */
export interface RoutedRow {
  requestedModelCostUsd: number | null;
  costUsd: number | null;
}

/** Routing's saving: sum of (requested model's cost - cost) over routed rows with both costs known. */
export function routingSavingsOfRows(rows: RoutedRow[]): Saving {
  let savedUsd = 0;
  let counted = 0;
  for (const row of rows) {
    if (row.requestedModelCostUsd === null || row.costUsd === null) continue;
    savedUsd += row.requestedModelCostUsd - row.costUsd;
    counted++;
  }
  return { kind: 'routing', savedUsd, rows: counted };
}
