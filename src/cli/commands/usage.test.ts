import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ledgerRow } from '../../stores/sqlite/__fixtures__/ledger-rows.js';
import { openSqliteStores, type SqliteStores } from '../../stores/sqlite/open-sqlite-stores.js';
import { usageReport } from './usage.js';

/** The body rows of the report's table titled `title`, cells split on the two-space column gap. */
function table(report: string, title: string): string[][] {
  const start = report.indexOf(`${title}\n`);
  if (start < 0) return [];
  const lines = report.slice(start).split('\n\n')[0]?.split('\n').slice(3) ?? [];
  return lines.map((line) => line.trim().split(/ {2,}/));
}

describe('jevons usage: savings by feature', () => {
  let dir: string;
  let stores: SqliteStores;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jevons-usage-'));
    stores = openSqliteStores({ path: join(dir, 'jevons.db') });
  });
  afterEach(async () => {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports response-cache hits, the prompt-cache read share and what each saved, per feature', async () => {
    await stores.ledger.append([
      ledgerRow({ id: '1', attribution: { feature: 'support' }, inputTokens: 100, cacheReadTokens: 900, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, costTotalUsd: 0.2, costUncachedUsd: 1 }),
      ledgerRow({ id: '2', attribution: { feature: 'support' }, inputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, costTotalUsd: 0, costUncachedUsd: 0.75, cacheSource: 'exact' }),
      ledgerRow({ id: '3', attribution: { feature: 'search' }, inputTokens: 100, cacheReadTokens: 0, cacheWrite5mTokens: 900, cacheWrite1hTokens: 0, costTotalUsd: 1.2, costUncachedUsd: 1 }),
      ledgerRow({ id: '4', attribution: { feature: 'plain' }, inputTokens: 100, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, costTotalUsd: 1, costUncachedUsd: 1 }),
    ]);
    const rows = table(await usageReport({ ledger: stores.ledger, by: ['feature'] }), 'Savings by feature');
    expect(rows).toEqual([
      // The write premium makes the first call of a prefix cost more than uncached: a negative saving, shown as such.
      ['search', '1', '0', '0', '$0', '0.0%', '-$0.2000', '-$0.2000'],
      ['support', '2', '1', '0', '$0.7500', '90.0%', '$0.8000', '$1.5500'],
    ]);
  });

  it('leaves the section out when nothing was cached', async () => {
    await stores.ledger.append([ledgerRow({ cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 })]);
    expect(await usageReport({ ledger: stores.ledger, by: ['feature'] })).not.toContain('Savings by feature');
  });
});
