import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { day0, ledgerRow, unpricedRow } from './__fixtures__/ledger-rows.js';
import { dailyLedgerTotals, LedgerUnreadableError, openLedgerReadOnly, type DailyLedgerCell } from './ledger-daily.js';
import { openSqliteStores } from './open-sqlite-stores.js';

const dir = mkdtempSync(join(tmpdir(), 'jevons-ledger-daily-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const day = 86_400_000;
let fileNumber = 0;

/** A ledger written through the real store; the store stays open (WAL) unless `close` is set. */
async function writeLedger(rows: Parameters<typeof ledgerRow>[0][], options: { close?: boolean } = {}) {
  const path = join(dir, `daily-${++fileNumber}.db`);
  const stores = openSqliteStores({ path });
  await stores.ledger.append(rows.map((overrides, index) => ledgerRow({ ...overrides, id: `r-${index}`, requestId: `q-${index}` })));
  if (options.close !== false) await stores.close();
  return { path, stores };
}

const find = (cells: DailyLedgerCell[], day: string, servedModel: string | null, provider = 'openai') =>
  cells.find((cell) => cell.day === day && cell.servedModel === servedModel && cell.provider === provider);

describe('dailyLedgerTotals', () => {
  it('groups by UTC day, provider and model; sums tokens; costs over priced rows; counts unpriced and estimated', async () => {
    const { path } = await writeLedger([
      { startedAt: day0 + 1, costTotalUsd: 0.5, costInputUsd: 0.2, costCacheReadUsd: 0.05, costCacheWriteUsd: 0.05, costOutputUsd: 0.2 },
      // Last millisecond of the first UTC day, estimated usage.
      { startedAt: day0 + day - 1, costTotalUsd: 0.25, usageEstimated: true, priceRef: 'config:models.gpt-4o' },
      // Same day, unpriced: tokens counted, cost unknown.
      unpricedRow({ startedAt: day0 + 5_000 }),
      // A failed attempt with no tokens and no cost is not "unpriced".
      { startedAt: day0 + 6_000, status: 500, inputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 0, reasoningTokens: 0, costInputUsd: null, costCacheReadUsd: null, costCacheWriteUsd: null, costOutputUsd: null, costTotalUsd: null, priceRef: null },
      // Next UTC day, another provider and model.
      { startedAt: day0 + day, provider: 'anthropic', requestedModel: 'claude-sonnet-4-5', servedModel: 'claude-sonnet-4-5-20250929', costTotalUsd: 2 },
    ]);
    const db = openLedgerReadOnly(path);
    try {
      const cells = dailyLedgerTotals(db, { since: day0, until: day0 + 2 * day });
      expect(cells.map((cell) => [cell.day, cell.provider, cell.servedModel])).toEqual([
        ['2026-11-01', 'openai', 'gpt-4o-2024-08-06'],
        ['2026-11-02', 'anthropic', 'claude-sonnet-4-5-20250929'],
      ]);
      const first = find(cells, '2026-11-01', 'gpt-4o-2024-08-06');
      expect(first).toMatchObject({
        requestedModel: 'gpt-4o',
        rows: 4,
        inputTokens: 3_000,
        cacheReadTokens: 600,
        cacheWrite5mTokens: 90,
        cacheWrite1hTokens: 12,
        outputTokens: 1_500,
        reasoningTokens: 360,
        unpricedRows: 1,
        unpricedInputTokens: 1_000,
        unpricedCacheReadTokens: 200,
        unpricedCacheWriteTokens: 34,
        unpricedOutputTokens: 500,
        estimatedRows: 1,
        estimatedTokens: 1_734,
        priceRefs: ['config:models.gpt-4o', 'genai-prices:openai/gpt-4o'],
      });
      expect(first?.costUsd).toBeCloseTo(0.75, 12);
      expect(first?.costInputUsd).toBeCloseTo(0.2025, 12);
      expect(first?.costOutputUsd).toBeCloseTo(0.205, 12);
    } finally {
      db.close();
    }
  });

  it('filters on started_at (since inclusive, until exclusive) and by provider name', async () => {
    const { path } = await writeLedger([
      { startedAt: day0 - 1 },
      { startedAt: day0 },
      { startedAt: day0 + day - 1, provider: 'openai-eu' },
      { startedAt: day0 + day },
    ]);
    const db = openLedgerReadOnly(path);
    try {
      const all = dailyLedgerTotals(db, { since: day0, until: day0 + day });
      expect(all.map((cell) => [cell.day, cell.provider, cell.rows])).toEqual([['2026-11-01', 'openai', 1], ['2026-11-01', 'openai-eu', 1]]);
      const eu = dailyLedgerTotals(db, { since: day0 - day, until: day0 + 2 * day, provider: 'openai-eu' });
      expect(eu.map((cell) => [cell.day, cell.provider, cell.rows])).toEqual([['2026-11-01', 'openai-eu', 1]]);
      expect(dailyLedgerTotals(db, { since: day0 + 10 * day, until: day0 + 11 * day })).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('keeps a null served model apart from the same requested model', async () => {
    const { path } = await writeLedger([{ startedAt: day0 }, { startedAt: day0 + 1, servedModel: null, usageEstimated: true }]);
    const db = openLedgerReadOnly(path);
    try {
      const cells = dailyLedgerTotals(db, { since: day0, until: day0 + day });
      expect(cells.map((cell) => [cell.servedModel, cell.requestedModel, cell.estimatedRows])).toEqual([[null, 'gpt-4o', 1], ['gpt-4o-2024-08-06', 'gpt-4o', 0]]);
    } finally {
      db.close();
    }
  });

  it('reads a ledger the gateway still has open in WAL mode, including rows not yet checkpointed', async () => {
    const { path, stores } = await writeLedger([{ startedAt: day0 }], { close: false });
    try {
      await stores.ledger.append([ledgerRow({ id: 'late', requestId: 'late', startedAt: day0 + 10 })]);
      const db = openLedgerReadOnly(path);
      try {
        expect(dailyLedgerTotals(db, { since: day0, until: day0 + day }).map((cell) => cell.rows)).toEqual([2]);
        expect(() => db.prepare('DELETE FROM ledger').run()).toThrow(/readonly/);
      } finally {
        db.close();
      }
    } finally {
      await stores.close();
    }
  });
});

describe('openLedgerReadOnly', () => {
  it('refuses a missing file without creating it', () => {
    const path = join(dir, 'missing.db');
    expect(() => openLedgerReadOnly(path)).toThrow(LedgerUnreadableError);
    expect(() => openLedgerReadOnly(path)).toThrow(`${path}: no such ledger file`);
    expect(() => new BetterSqlite3(path, { fileMustExist: true })).toThrow();
  });

  it('refuses a file that is not a SQLite database, and a database without a ledger table', () => {
    const text = join(dir, 'not-sqlite.db');
    writeFileSync(text, 'hello, this is not a database at all, just some text long enough to have a header');
    expect(() => openLedgerReadOnly(text)).toThrow(new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot read the ledger: file is not a database`));
    const empty = join(dir, 'empty.db');
    const other = new BetterSqlite3(empty);
    other.exec('CREATE TABLE other (x)');
    other.close();
    expect(() => openLedgerReadOnly(empty)).toThrow(`${empty}: not a Jevons ledger (it has no ledger table)`);
  });
});
