/**
 * `jevons cache breakers [--since 7d] [--feature f] [--json]`: the prompt-cache breakers the gateway found
 * (docs/cache-diagnosis.md), one table per feature: kind, where in the prompt, occurrences, tokens that could have
 * been cache reads, money lost per day, a masked example and a one-line fix.
 *
 * "$ lost / day" = the money lost over the window divided by the days on which that breaker was seen (UTC days with
 * a row), i.e. what a day with the breaker costs; `days` says over how many days it was observed.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { fixHints, type BreakerKind } from '../../policies/cache/diagnosis/classify-span.js';
import type { Environment } from '../../spec/config/load-config.js';
import { listCacheFindings, type CacheFindingRow } from '../../stores/sqlite/cache-findings.js';
import { cacheCommand, withCacheDatabase } from './cache-command.js';
import { count, formatTable, usd } from '../table.js';
import { parseSince } from './usage.js';

export interface CacheBreakerEntry {
  feature: string;
  model: string;
  kind: string;
  location: string;
  occurrences: number;
  /** Tokens after the breaker that could have been cache reads, over the window. */
  tokensAfter: number;
  /** Over the window; null when no occurrence was priced. */
  lostUsd: number | null;
  /** UTC days with at least one occurrence. */
  days: number;
  lostUsdPerDay: number | null;
  /** Occurrences on models without a price (their money is unknown, not zero). */
  unpricedOccurrences: number;
  charOffset: number;
  tokenOffset: number;
  example: string;
  fix: string;
  lastSeenAt: number;
}

export interface CacheBreakersReport {
  sinceDay: string;
  features: Array<{ feature: string; lostUsdPerDay: number | null; breakers: CacheBreakerEntry[] }>;
}

const hint = (kind: string): string => (kind in fixHints ? fixHints[kind as BreakerKind] : fixHints.other);

/** Daily rows → one entry per (feature, model, kind, location), features and breakers by money lost per day. */
export function cacheBreakersReport(rows: readonly CacheFindingRow[], sinceDay: string): CacheBreakersReport {
  const entries = new Map<string, CacheBreakerEntry & { daySet: Set<string> }>();
  for (const row of rows) {
    const key = [row.feature, row.model, row.kind, row.location].join('\u0000');
    let entry = entries.get(key);
    if (entry === undefined) {
      entry = { feature: row.feature, model: row.model, kind: row.kind, location: row.location, occurrences: 0, tokensAfter: 0, lostUsd: null, days: 0, lostUsdPerDay: null, unpricedOccurrences: 0, charOffset: row.charOffset, tokenOffset: row.tokenOffset, example: row.example, fix: hint(row.kind), lastSeenAt: row.lastSeenAt, daySet: new Set() };
      entries.set(key, entry);
    }
    entry.occurrences += row.occurrences;
    entry.tokensAfter += row.tokensAfter;
    entry.unpricedOccurrences += row.occurrences - row.pricedOccurrences;
    if (row.lostUsd !== null) entry.lostUsd = (entry.lostUsd ?? 0) + row.lostUsd;
    entry.daySet.add(row.day);
    if (row.lastSeenAt >= entry.lastSeenAt) Object.assign(entry, { charOffset: row.charOffset, tokenOffset: row.tokenOffset, example: row.example, lastSeenAt: row.lastSeenAt });
  }
  const byFeature = new Map<string, CacheBreakerEntry[]>();
  for (const { daySet, ...entry } of entries.values()) {
    entry.days = daySet.size;
    entry.lostUsdPerDay = entry.lostUsd === null ? null : entry.lostUsd / entry.days;
    byFeature.set(entry.feature, [...(byFeature.get(entry.feature) ?? []), entry]);
  }
  const money = (value: number | null) => value ?? -1;
  const features = [...byFeature].map(([feature, breakers]) => {
    breakers.sort((a, b) => money(b.lostUsdPerDay) - money(a.lostUsdPerDay) || b.occurrences - a.occurrences);
    const priced = breakers.filter((b) => b.lostUsdPerDay !== null);
    return { feature, lostUsdPerDay: priced.length === 0 ? null : priced.reduce((sum, b) => sum + (b.lostUsdPerDay ?? 0), 0), breakers };
  });
  features.sort((a, b) => money(b.lostUsdPerDay) - money(a.lostUsdPerDay) || a.feature.localeCompare(b.feature));
  return { sinceDay, features };
}

export function formatCacheBreakersReport(report: CacheBreakersReport): string {
  if (report.features.length === 0) return `No prompt-cache breakers found since ${report.sinceDay}.`;
  const sections = report.features.map(({ feature, lostUsdPerDay, breakers }) => {
    const title = `Feature ${feature}: ${lostUsdPerDay === null ? 'unpriced' : `${usd(lostUsdPerDay)} lost per day`}`;
    const rows = breakers.map((b) => [
      b.kind,
      `${b.location} @ char ${count(b.charOffset)} (~${count(b.tokenOffset)} tok)`,
      b.model,
      count(b.occurrences),
      count(b.tokensAfter),
      `${b.lostUsdPerDay === null ? 'unpriced' : usd(b.lostUsdPerDay)}${b.unpricedOccurrences > 0 && b.lostUsdPerDay !== null ? ` (+${count(b.unpricedOccurrences)} unpriced)` : ''}`,
      count(b.days),
      b.example,
      b.fix,
    ]);
    return `${title}\n${formatTable(['kind', 'where', 'model', 'occurrences', 'cacheable tokens', '$ lost/day', 'days', 'example', 'fix'], rows)}`;
  });
  return [`Prompt-cache breakers since ${report.sinceDay} (UTC days):`, ...sections].join('\n\n');
}

export interface CacheBreakersDeps {
  env: NodeJS.ProcessEnv | Environment;
  print: (text: string) => void;
  now?: () => number;
}

/**
 * Registers `cache breakers` under the `cache` command, creating `cache` if no other registration made it yet (so
 * other `jevons cache ...` subcommands can share the parent).
 */
export function registerCacheBreakersCommand(program: Command, deps: CacheBreakersDeps): void {
  const now = deps.now ?? Date.now;
  cacheCommand(program)
    .command('breakers')
    .description('Prompt-cache breakers per feature: where a small changing span stops provider prefix caches, and what it costs per day')
    .option('--since <when>', 'ISO date or span (24h, 7d)', '7d')
    .option('--feature <feature>', 'only this feature ("(none)" for calls without one)')
    .option('--json', 'print JSON instead of tables')
    .option('-c, --config <path>', 'jevons.yaml (for storage.path)')
    .option('--db <path>', 'database file (overrides the config)')
    .action(async (options: { since: string; feature?: string; json?: boolean; config?: string; db?: string }) => {
      let since: number;
      try {
        since = parseSince(options.since, now()) ?? now() - 7 * 86_400_000;
      } catch (error) {
        throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
      }
      const sinceDay = new Date(since).toISOString().slice(0, 10);
      const report = await withCacheDatabase(options, deps.env, (stores) => cacheBreakersReport(listCacheFindings(stores.db, { sinceDay, feature: options.feature }), sinceDay));
      deps.print(options.json ? JSON.stringify(report, null, 2) : formatCacheBreakersReport(report));
    });
}
