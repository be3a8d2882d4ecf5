import type { LedgerStore, UsageQuery } from '../../spec/ports.js';
import { count, formatTable, usd } from '../table.js';

const groupings: UsageQuery['groupBy'][] = ['feature', 'model', 'customer'];

/** Parses --since: an ISO date/time, or a relative span like 24h, 7d, 30m. */
export function parseSince(text: string | undefined, now: number): number | undefined {
  if (text === undefined) return undefined;
  const relative = /^(\d+)([mhd])$/.exec(text);
  if (relative) return now - Number(relative[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 'm' | 'h' | 'd'];
  const parsed = Date.parse(text);
  if (Number.isNaN(parsed)) throw new Error(`--since: expected an ISO date (2026-11-01) or a span like 24h / 7d, got "${text}"`);
  return parsed;
}

/** The spend report: one table per grouping, with unpriced rows called out (their cost is unknown, not zero). */
export async function usageReport(options: { ledger: LedgerStore; since?: number; by?: UsageQuery['groupBy'][]; limit?: number }): Promise<string> {
  const sections: string[] = [];
  for (const groupBy of options.by ?? groupings) {
    const groups = await options.ledger.usage({ groupBy, since: options.since, limit: options.limit ?? 20 });
    const rows = groups.map((group) => [
      group.group ?? '(none)',
      count(group.requests),
      count(group.errors),
      count(group.inputTokens),
      count(group.cacheReadTokens),
      count(group.cacheWriteTokens),
      count(group.outputTokens),
      group.unpricedRows === group.requests ? 'unpriced' : usd(group.costUsd),
      group.unpricedRows > 0 ? `${group.unpricedRows} unpriced` : group.estimatedRows > 0 ? `${group.estimatedRows} estimated` : '',
    ]);
    sections.push(`Spend by ${groupBy}\n${formatTable([groupBy, 'requests', 'errors', 'input', 'cache read', 'cache write', 'output', 'cost', 'notes'], rows)}`);
  }
  const savings = await savingsSection(options);
  if (savings !== null) sections.push(savings);
  return sections.join('\n\n');
}

const percent = (part: number, whole: number): string => (whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`);

/**
 * Savings by feature, from each row's cost with no cache (cost_uncached_usd) and its actual cost: response-cache hits
 * (exact / semantic) and provider prompt caching (the share of prompt tokens read from the provider's cache, and the
 * money it saved net of cache-write premiums). Omitted when nothing was cached.
 */
async function savingsSection(options: { ledger: LedgerStore; since?: number; limit?: number }): Promise<string | null> {
  const groups = await options.ledger.usage({ groupBy: 'feature', since: options.since, limit: options.limit ?? 20 });
  const cached = groups.filter((g) => g.exactCacheHits + g.semanticCacheHits > 0 || g.cacheReadTokens + g.cacheWriteTokens > 0);
  if (cached.length === 0) return null;
  const rows = cached.map((g) => [
    g.group ?? '(none)',
    count(g.requests),
    count(g.exactCacheHits),
    count(g.semanticCacheHits),
    usd(g.responseCacheSavedUsd),
    percent(g.cacheReadTokens, g.inputTokens + g.cacheReadTokens + g.cacheWriteTokens),
    usd(g.promptCacheSavedUsd),
    usd(g.responseCacheSavedUsd + g.promptCacheSavedUsd),
  ]);
  return `Savings by feature\n${formatTable(['feature', 'requests', 'exact hits', 'semantic hits', 'saved by response cache', 'prompt read share', 'saved by prompt cache', 'saved'], rows)}`;
}
