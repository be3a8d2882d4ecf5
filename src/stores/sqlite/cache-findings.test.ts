import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { CacheDiagnosisOptions } from '../../policies/cache/diagnosis/diagnosis-policy.js';
import { createCacheFindingsWriter, listCacheFindings, upsertCacheFindings, type CacheFindingRow } from './cache-findings.js';
import { sql } from './migrations/0007-cache-diagnosis.js';
import { migrations } from './migrations/index.js';
import { openSqliteStores } from './open-sqlite-stores.js';

const row = (overrides: Partial<CacheFindingRow> = {}): CacheFindingRow => ({
  day: '2026-11-23', feature: 'support-bot', model: 'claude-sonnet-4-5', kind: 'timestamp', location: 'system', occurrences: 2, pricedOccurrences: 2,
  tokensAfter: 8_000, lostUsd: 0.0216, charOffset: 35, tokenOffset: 9, example: 'dddd-dd-ddTdd:dd:ddZ', lastSeenAt: 1_000, ...overrides,
});

function database() {
  const db = new BetterSqlite3(':memory:');
  db.exec(sql);
  return db;
}

describe('cache_breaker_findings store', () => {
  it('round-trips rows and adds counters on upsert; offsets and example follow the latest occurrence', () => {
    const db = database();
    upsertCacheFindings(db, [row(), row({ feature: 'search', kind: 'reordered_tools', location: 'tools[1]', example: '3 tools' })]);
    upsertCacheFindings(db, [row({ occurrences: 1, pricedOccurrences: 0, tokensAfter: 100, lostUsd: null, charOffset: 40, example: 'dd:dd', lastSeenAt: 2_000 })]);
    // An older aggregate arriving late adds its counters but does not replace the latest example.
    upsertCacheFindings(db, [row({ occurrences: 1, pricedOccurrences: 1, tokensAfter: 10, lostUsd: 0.0004, charOffset: 1, example: 'old', lastSeenAt: 500 })]);
    const rows = listCacheFindings(db);
    expect(rows).toHaveLength(2);
    expect(rows[1]).toEqual(row({ feature: 'support-bot', occurrences: 4, pricedOccurrences: 3, tokensAfter: 8_110, lostUsd: expect.closeTo(0.022, 12) as number, charOffset: 40, example: 'dd:dd', lastSeenAt: 2_000 }));
    expect(listCacheFindings(db, { feature: 'search' }).map((r) => r.kind)).toEqual(['reordered_tools']);
    db.close();
  });

  it('keeps money NULL while nothing was priced, and filters by day', () => {
    const db = database();
    const write = createCacheFindingsWriter(db);
    write([row({ lostUsd: null, pricedOccurrences: 0, day: '2026-11-20' }), row({ day: '2026-11-24' })]);
    write([row({ lostUsd: null, pricedOccurrences: 0, day: '2026-11-20', lastSeenAt: 3_000 })]);
    write([]);
    expect(listCacheFindings(db, { sinceDay: '2026-11-21' }).map((r) => r.day)).toEqual(['2026-11-24']);
    expect(listCacheFindings(db, { sinceDay: '2026-11-01' })[0]).toMatchObject({ day: '2026-11-20', occurrences: 4, lostUsd: null });
    db.close();
  });

  it('is migration 7, created by openSqliteStores, and accepts what the diagnosis policy writes', () => {
    expect(migrations.find((m) => m.version === 7)?.name).toBe('0007-cache-diagnosis');
    const stores = openSqliteStores({ path: ':memory:' });
    // Compile-time check: the writer fits the policy's `write` option.
    const writer = createCacheFindingsWriter(stores.db);
    const write: CacheDiagnosisOptions['write'] = writer;
    void write([{ ...row(), kind: 'timestamp' }]);
    expect(listCacheFindings(stores.db)).toHaveLength(1);
    void stores.close();
  });
});
