import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LedgerRow } from '../../spec/ledger.js';
import { day0, ledgerRow, unpricedRow } from './__fixtures__/ledger-rows.js';
import { applyCostUpdates, ledgerPagesInRange, type RowCostUpdate } from './ledger-reprice.js';
import { openSqliteStores, type SqliteStores } from './open-sqlite-stores.js';

const dir = mkdtempSync(join(tmpdir(), 'jevons-ledger-reprice-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let stores: SqliteStores;
let fileNumber = 0;
beforeEach(() => {
  stores = openSqliteStores({ path: join(dir, `reprice-${++fileNumber}.db`) });
});
afterEach(async () => {
  await stores.close();
});

const hour = 3_600_000;

const update = (id: string, totalUsd: number, priceRef: string): RowCostUpdate => ({
  id,
  costInputUsd: totalUsd / 2,
  costCacheReadUsd: 0,
  costCacheWriteUsd: 0,
  costOutputUsd: totalUsd / 2,
  costRequestUsd: 0,
  costTotalUsd: totalUsd,
  priceRef,
});

async function rowById(id: string): Promise<LedgerRow | undefined> {
  return (await stores.ledger.recent(1_000)).find((row) => row.id === id);
}

describe('ledgerPagesInRange', () => {
  it('reads rows with started_at in [since, until) oldest first, in pages, ties included exactly once', async () => {
    // Inserted out of order; c1..c3 share one started_at so the page boundary falls inside a tie.
    await stores.ledger.append([
      ledgerRow({ id: 'late', startedAt: day0 + 5 * hour }),
      ledgerRow({ id: 'c1', startedAt: day0 + 2 * hour }),
      ledgerRow({ id: 'before', startedAt: day0 - 1 }),
      ledgerRow({ id: 'c2', startedAt: day0 + 2 * hour }),
      ledgerRow({ id: 'first', startedAt: day0 }),
      ledgerRow({ id: 'c3', startedAt: day0 + 2 * hour }),
      ledgerRow({ id: 'at-until', startedAt: day0 + 6 * hour }),
    ]);
    const pages = [...ledgerPagesInRange(stores.db, { since: day0, until: day0 + 6 * hour }, 2)].map((page) => page.map((row) => row.id));
    expect(pages).toEqual([['first', 'c1'], ['c2', 'c3'], ['late']]);
    const open = [...ledgerPagesInRange(stores.db, { since: day0 + 3 * hour })].map((page) => page.map((row) => row.id));
    expect(open).toEqual([['late', 'at-until']]);
  });

  it('returns the rows as written, and lets the caller update rows between pages', async () => {
    const written = [ledgerRow({ id: 'a', startedAt: day0 }), unpricedRow({ id: 'b', startedAt: day0 + 1, serviceTier: 'batch', inputAudioTokens: 7 })];
    await stores.ledger.append(written);
    const seen: string[] = [];
    for (const page of ledgerPagesInRange(stores.db, { since: day0 }, 1)) {
      expect(page).toEqual([written[seen.length]]);
      seen.push(...page.map((row) => row.id));
      // Writing while the generator is suspended must not fail (no open statement between pages).
      applyCostUpdates(stores.db, page.map((row) => update(row.id, 1, 'config:models.x')), day0 + hour);
    }
    expect(seen).toEqual(['a', 'b']);
  });

  it('names the row of a record that cannot be read, and rejects a bad page size', async () => {
    await stores.ledger.append([ledgerRow({ id: 'broken', startedAt: day0 })]);
    stores.db.prepare("UPDATE ledger SET service_tier = 'turbo' WHERE id = 'broken'").run();
    expect(() => [...ledgerPagesInRange(stores.db, { since: day0 })]).toThrow(/ledger row broken: unreadable record \(service_tier: /);
    expect(() => [...ledgerPagesInRange(stores.db, { since: day0 }, 0)]).toThrow(RangeError);
  });
});

describe('applyCostUpdates', () => {
  it('writes the new cost and price ref and keeps the old ones in the audit columns', async () => {
    const original = ledgerRow({ id: 'a', startedAt: day0 });
    await stores.ledger.append([original, ledgerRow({ id: 'other', startedAt: day0 + 1 })]);
    expect(applyCostUpdates(stores.db, [update('a', 0.004, 'config:models.gpt-4o')], day0 + hour)).toBe(1);
    expect(await rowById('a')).toEqual({
      ...original,
      costInputUsd: 0.002,
      costCacheReadUsd: 0,
      costCacheWriteUsd: 0,
      costOutputUsd: 0.002,
      costRequestUsd: 0,
      costTotalUsd: 0.004,
      priceRef: 'config:models.gpt-4o',
      previousCostTotalUsd: original.costTotalUsd,
      previousPriceRef: 'genai-prices:openai/gpt-4o',
      repricedAt: day0 + hour,
    });
    expect(await rowById('other')).toEqual(ledgerRow({ id: 'other', startedAt: day0 + 1 }));
  });

  it('keeps the FIRST pre-reprice value when a row is repriced twice, a NULL one included', async () => {
    await stores.ledger.append([ledgerRow({ id: 'priced', startedAt: day0 }), unpricedRow({ id: 'was-unpriced', startedAt: day0 })]);
    applyCostUpdates(stores.db, [update('priced', 0.004, 'config:models.v1'), update('was-unpriced', 0.002, 'config:models.v1')], day0 + hour);
    applyCostUpdates(stores.db, [update('priced', 0.006, 'config:models.v2'), update('was-unpriced', 0.003, 'config:models.v2')], day0 + 2 * hour);
    expect(await rowById('priced')).toMatchObject({ costTotalUsd: 0.006, priceRef: 'config:models.v2', previousCostTotalUsd: 0.0077875, previousPriceRef: 'genai-prices:openai/gpt-4o', repricedAt: day0 + 2 * hour });
    expect(await rowById('was-unpriced')).toMatchObject({ costTotalUsd: 0.003, priceRef: 'config:models.v2', previousCostTotalUsd: null, previousPriceRef: null, repricedAt: day0 + 2 * hour });
  });

  it('writes a batch in one transaction: a failure part-way leaves every row of the batch as it was', async () => {
    await stores.ledger.append([ledgerRow({ id: 'a', startedAt: day0 }), ledgerRow({ id: 'b', startedAt: day0 + 1 })]);
    // Stands in for a crash on the second row of the batch.
    stores.db.exec("CREATE TEMP TRIGGER fail_b BEFORE UPDATE ON ledger WHEN NEW.id = 'b' BEGIN SELECT RAISE(ABORT, 'disk gone'); END");
    expect(() => applyCostUpdates(stores.db, [update('a', 1, 'config:models.x'), update('b', 1, 'config:models.x')], day0 + hour)).toThrow(/disk gone/);
    expect(await rowById('a')).toEqual(ledgerRow({ id: 'a', startedAt: day0 }));
    stores.db.exec('DROP TRIGGER fail_b');
    // A row deleted meanwhile (retention) is not counted and does not fail the batch.
    expect(applyCostUpdates(stores.db, [update('a', 1, 'config:models.x'), update('gone', 1, 'config:models.x')], day0 + hour)).toBe(1);
  });
});
