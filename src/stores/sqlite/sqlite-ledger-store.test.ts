import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LedgerRow } from '../../spec/ledger.js';
import type { UsageGroup, UsageQuery } from '../../spec/ports.js';
import { day0, ledgerRow, unpricedRow } from './__fixtures__/ledger-rows.js';
import { openSqliteStores, type SqliteStores } from './open-sqlite-stores.js';

const dir = mkdtempSync(join(tmpdir(), 'jevons-ledger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let stores: SqliteStores;
let fileNumber = 0;
beforeEach(() => {
  stores = openSqliteStores({ path: join(dir, `ledger-${++fileNumber}.db`) });
});
afterEach(async () => {
  await stores.close();
});

const hour = 3_600_000;
const day = 24 * hour;

/** A small mixed ledger: two features, two customers, two models, three UTC days, errors and unpriced rows. */
function sampleRows(): LedgerRow[] {
  return [
    ledgerRow({ id: 'a', requestId: 'r-a', startedAt: day0 + 1, endedAt: day0 + 10, costTotalUsd: 0.5 }),
    ledgerRow({ id: 'b', requestId: 'r-b', startedAt: day0 + day - 1, endedAt: day0 + day + 50, costTotalUsd: 0.25, usageEstimated: true }),
    ledgerRow({ id: 'c', requestId: 'r-c', startedAt: day0 + day, endedAt: day0 + day + 10, requestedModel: 'claude-sonnet-4-5', provider: 'anthropic', dialect: 'anthropic', endpoint: 'messages', costTotalUsd: 2, attribution: { feature: 'summarise', customer: 'globex', team: 'core', app: 'api', user: 'u-2', keyId: 'key-2' } }),
    unpricedRow({ id: 'd', requestId: 'r-d', startedAt: day0 + 2 * day + 5, endedAt: day0 + 2 * day + 9, requestedModel: 'my-local', provider: 'ollama', attribution: { feature: 'summarise', customer: null } }),
    ledgerRow({ id: 'e', requestId: 'r-e', startedAt: day0 + 2 * day + 6, endedAt: day0 + 2 * day + 7, status: 429, errorCode: 'upstream_rate_limited', inputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 0, reasoningTokens: 0, costTotalUsd: 0 }),
    ledgerRow({ id: 'f', requestId: 'r-f', startedAt: day0 + 2 * day + 7, endedAt: day0 + 2 * day + 8, status: 200, errorCode: 'stream_failed', costTotalUsd: 0.125 }),
  ];
}

const byGroup = (groups: UsageGroup[]) => Object.fromEntries(groups.map((g) => [g.group ?? '(null)', g]));

describe('SQLite LedgerStore', () => {
  it('reads back exactly the rows written (nulls, booleans, tags, costs)', async () => {
    const rows = [
      ledgerRow(),
      unpricedRow({ id: 'row-2', attempt: 2, firstByteAt: null, servedModel: null, streamed: false, clientAborted: true, usageEstimated: true, status: 502, errorCode: 'upstream_unreachable' }),
      ledgerRow({ id: 'row-3', attempt: 3, attribution: { keyId: null, team: null, app: null, feature: null, user: null, customer: null, session: null, tags: {} }, costTotalUsd: 0.1 + 0.2, costInputUsd: 1e-12 }),
    ];
    await stores.ledger.append(rows);
    expect(await stores.ledger.byRequest('req-1')).toEqual(rows);
    expect(await stores.ledger.byRequest('nope')).toEqual([]);
  });

  it('returns attempts of one request in order, and recent rows newest first', async () => {
    await stores.ledger.append([
      ledgerRow({ id: 'x2', requestId: 'r', attempt: 2, startedAt: day0 + 20 }),
      ledgerRow({ id: 'x1', requestId: 'r', attempt: 1, startedAt: day0 + 10 }),
      ledgerRow({ id: 'y', requestId: 'other', startedAt: day0 + 30 }),
    ]);
    expect((await stores.ledger.byRequest('r')).map((r) => r.id)).toEqual(['x1', 'x2']);
    expect((await stores.ledger.recent(2)).map((r) => r.id)).toEqual(['y', 'x2']);
  });

  it('appends all or nothing', async () => {
    await stores.ledger.append([ledgerRow({ id: 'dup' })]);
    await expect(stores.ledger.append([ledgerRow({ id: 'new-1' }), ledgerRow({ id: 'dup' })])).rejects.toThrow(/UNIQUE/);
    expect((await stores.ledger.recent(10)).map((r) => r.id)).toEqual(['dup']);
    await stores.ledger.append([]);
  });

  it('groups usage by every dimension, cost descending', async () => {
    await stores.ledger.append(sampleRows());
    const expected: Record<UsageQuery['groupBy'], (string | null)[]> = {
      feature: ['summarise', 'search'],
      model: ['claude-sonnet-4-5', 'gpt-4o', 'my-local'],
      customer: ['globex', 'acme', null],
      team: ['core', 'growth'],
      app: ['api', 'web'],
      user: ['u-2', 'u-1'],
      provider: ['anthropic', 'openai', 'ollama'],
      key: ['key-2', 'key-1'],
      day: ['2026-11-02', '2026-11-01', '2026-11-03'],
    };
    for (const [groupBy, groups] of Object.entries(expected)) {
      const usage = await stores.ledger.usage({ groupBy: groupBy as UsageQuery['groupBy'] });
      expect(usage.map((g) => g.group), groupBy).toEqual(groups);
      expect(usage.reduce((n, g) => n + g.requests, 0), groupBy).toBe(6);
    }
  });

  it('sums what response caches and prompt caching saved from each row\'s uncached and actual cost', async () => {
    await stores.ledger.append([
      ledgerRow({ id: 'a', costTotalUsd: 0.4, costUncachedUsd: 1, cacheReadTokens: 900 }),
      ledgerRow({ id: 'b', costTotalUsd: 1.3, costUncachedUsd: 1.2, cacheWrite5mTokens: 900 }),
      ledgerRow({ id: 'c', costTotalUsd: 0, costUncachedUsd: 2, cacheSource: 'exact' }),
      ledgerRow({ id: 'd', costTotalUsd: 0, costUncachedUsd: 0.5, cacheSource: 'semantic' }),
      // Unknown savings (unpriced, or written before the column existed) count as nothing, not as a guess.
      ledgerRow({ id: 'e', costTotalUsd: null, costUncachedUsd: null, cacheSource: 'exact' }),
      ledgerRow({ id: 'f', costTotalUsd: 3, costUncachedUsd: null }),
    ]);
    const [all] = await stores.ledger.usage({ groupBy: 'feature' });
    expect(all).toMatchObject({ requests: 6, exactCacheHits: 2, semanticCacheHits: 1 });
    expect(all?.responseCacheSavedUsd).toBeCloseTo(2.5, 12);
    expect(all?.promptCacheSavedUsd).toBeCloseTo(0.5, 12);
  });

  it('sums cost over priced rows only and counts unpriced, estimated and error rows apart', async () => {
    await stores.ledger.append(sampleRows());
    const model = byGroup(await stores.ledger.usage({ groupBy: 'model' }));
    expect(model['my-local']).toEqual({
      group: 'my-local', requests: 1, errors: 0, inputTokens: 1_000, cacheReadTokens: 200, cacheWriteTokens: 34,
      outputTokens: 500, costUsd: 0, unpricedRows: 1, estimatedRows: 0, exactCacheHits: 0, semanticCacheHits: 0,
      responseCacheSavedUsd: 0, promptCacheSavedUsd: 0,
    });
    const gpt = model['gpt-4o'];
    expect(gpt).toMatchObject({ requests: 4, errors: 2, unpricedRows: 0, estimatedRows: 1, inputTokens: 3_000, cacheWriteTokens: 102 });
    expect(gpt?.costUsd).toBeCloseTo(0.875, 12);
    const feature = byGroup(await stores.ledger.usage({ groupBy: 'feature' }));
    expect(feature.summarise).toMatchObject({ requests: 2, unpricedRows: 1, costUsd: 2 });
  });

  it('filters by started_at (since inclusive, until exclusive) and limits the groups', async () => {
    await stores.ledger.append(sampleRows());
    const days = await stores.ledger.usage({ groupBy: 'day', since: day0 + day - 1, until: day0 + 2 * day + 6 });
    expect(days.map((g) => [g.group, g.requests])).toEqual([['2026-11-02', 1], ['2026-11-01', 1], ['2026-11-03', 1]]);
    expect(await stores.ledger.usage({ groupBy: 'day', since: day0 + 10 * day })).toEqual([]);
    const top = await stores.ledger.usage({ groupBy: 'model', limit: 1 });
    expect(top.map((g) => g.group)).toEqual(['claude-sonnet-4-5']);
  });

  it('deletes rows that ended before the cutoff and reports how many', async () => {
    await stores.ledger.append(sampleRows());
    // 'b' started before day0 + day but ended after it: it stays.
    expect(await stores.ledger.deleteBefore(day0 + day)).toBe(1);
    expect((await stores.ledger.recent(100)).map((r) => r.id).sort()).toEqual(['b', 'c', 'd', 'e', 'f']);
    expect(await stores.ledger.deleteBefore(day0 + day)).toBe(0);
    expect(await stores.ledger.deleteBefore(day0 + 100 * day)).toBe(5);
  });

  it('takes 10,000 rows appended concurrently in batches, none lost or torn', async () => {
    const batches = Array.from({ length: 20 }, (_, b) =>
      Array.from({ length: 500 }, (_, i) => ledgerRow({ id: `bulk-${b}-${i}`, requestId: `req-${b}-${i}`, startedAt: day0 + b * 1_000 + i, costTotalUsd: 0.001, attribution: { feature: `f-${b % 4}` } })),
    );
    await Promise.all(batches.map((batch) => stores.ledger.append(batch)));
    const usage = await stores.ledger.usage({ groupBy: 'feature' });
    expect(usage.map((g) => g.requests)).toEqual([2_500, 2_500, 2_500, 2_500]);
    const total = usage.reduce((sum, g) => sum + g.costUsd, 0);
    expect(total).toBeCloseTo(10, 9);
    expect(await stores.ledger.byRequest('req-19-499')).toEqual([batches[19]?.[499]]);
  });

  it('shares one connection: ledger.close() closes the stores', async () => {
    await stores.ledger.close();
    await expect(stores.ledger.recent(1)).rejects.toThrow(/not open/);
  });
});
