import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { upsertCacheFindings, type CacheFindingRow } from '../../stores/sqlite/cache-findings.js';
import { openSqliteStores } from '../../stores/sqlite/index.js';
import { registerCacheBreakersCommand, type CacheBreakersReport } from './cache-breakers.js';

const dir = mkdtempSync(join(tmpdir(), 'jevons-cache-breakers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const now = Date.UTC(2026, 10, 25, 12);
const row = (overrides: Partial<CacheFindingRow>): CacheFindingRow => ({
  day: '2026-11-23', feature: 'support-bot', model: 'claude-sonnet-4-5', kind: 'timestamp', location: 'system', occurrences: 10, pricedOccurrences: 10,
  tokensAfter: 40_000, lostUsd: 0.108, charOffset: 35, tokenOffset: 9, example: 'dddd-dd-ddTdd:dd:ddZ', lastSeenAt: Date.UTC(2026, 10, 23, 18), ...overrides,
});

async function seeded(): Promise<string> {
  const path = join(dir, `case-${Math.random().toString(36).slice(2)}.db`);
  const stores = openSqliteStores({ path });
  upsertCacheFindings(stores.db, [
    row({}),
    row({ day: '2026-11-24', occurrences: 30, pricedOccurrences: 30, tokensAfter: 120_000, lostUsd: 0.324, lastSeenAt: Date.UTC(2026, 10, 24, 9) }),
    row({ kind: 'request_id', location: 'messages[1].content', charOffset: 4_200, tokenOffset: 1_050, example: '<uuid>', occurrences: 5, pricedOccurrences: 4, tokensAfter: 5_000, lostUsd: 0.0108 }),
    row({ feature: 'search', model: 'gpt-4o', kind: 'reordered_tools', location: 'tools[2]', charOffset: 900, tokenOffset: 225, example: '6 tools, first out of place: tools[2]', occurrences: 3, pricedOccurrences: 0, tokensAfter: 9_000, lostUsd: null }),
    // Outside the default 7-day window.
    row({ day: '2026-11-01', feature: 'old', lostUsd: 99 }),
  ]);
  await stores.close();
  return path;
}

async function run(args: string[]): Promise<string> {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
  const out: string[] = [];
  registerCacheBreakersCommand(program, { env: {}, print: (text) => out.push(text), now: () => now });
  await program.parseAsync(['cache', 'breakers', ...args], { from: 'user' });
  return out.join('\n');
}

describe('jevons cache breakers', () => {
  it('prints a table per feature with where, occurrences, cacheable tokens, $ lost per day, masked example and fix', async () => {
    const db = await seeded();
    const text = await run(['--db', db]);
    expect(text).toContain('Prompt-cache breakers since 2026-11-18 (UTC days):');
    // support-bot: timestamp $0.432 over 2 days = $0.216/day, request id $0.0108 over 1 day.
    expect(text).toContain('Feature support-bot: $0.2268 lost per day');
    expect(text).toMatch(/timestamp\s+system @ char 35 \(~9 tok\)\s+claude-sonnet-4-5\s+40\s+160,000\s+\$0\.2160\s+2\s+dddd-dd-ddTdd:dd:ddZ\s+move the timestamp after the last stable block/);
    expect(text).toMatch(/request_id\s+messages\[1\]\.content @ char 4,200 \(~1,050 tok\).*\$0\.0108 \(\+1 unpriced\)\s+1\s+<uuid>/);
    expect(text).toContain('Feature search: unpriced');
    expect(text).toMatch(/reordered_tools\s+tools\[2\].*unpriced.*sort tools by name/);
    expect(text).not.toContain('old');
    // Features by money lost per day: support-bot before search.
    expect(text.indexOf('support-bot')).toBeLessThan(text.indexOf('Feature search'));
  });

  it('filters by feature and window, and prints JSON', async () => {
    const db = await seeded();
    const report = JSON.parse(await run(['--db', db, '--feature', 'support-bot', '--since', '2026-11-24', '--json'])) as CacheBreakersReport;
    expect(report.sinceDay).toBe('2026-11-24');
    expect(report.features).toHaveLength(1);
    expect(report.features[0]?.breakers).toEqual([
      expect.objectContaining({ kind: 'timestamp', location: 'system', occurrences: 30, tokensAfter: 120_000, days: 1, lostUsdPerDay: 0.324, unpricedOccurrences: 0, fix: expect.stringContaining('timestamp') as string }),
    ]);
    expect(await run(['--db', db, '--feature', 'nobody'])).toBe('No prompt-cache breakers found since 2026-11-18.');
  });

  it('rejects a bad --since and a missing database', async () => {
    const db = await seeded();
    await expect(run(['--db', db, '--since', 'yesterday'])).rejects.toThrow(/--since/);
    await expect(run(['--db', join(dir, 'missing.db')])).rejects.toThrow(/no such database file/);
  });

  it('shares the `cache` parent with other cache subcommands', () => {
    const program = new Command();
    const cache = program.command('cache');
    cache.command('stats');
    registerCacheBreakersCommand(program, { env: {}, print: () => undefined });
    expect(program.commands.filter((c) => c.name() === 'cache')).toHaveLength(1);
    expect(cache.commands.map((c) => c.name())).toEqual(['stats', 'breakers']);
  });
});
