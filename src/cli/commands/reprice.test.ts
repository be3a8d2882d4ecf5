import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import type { LedgerRow } from '../../spec/ledger.js';
import { day0, ledgerRow, unpricedRow } from '../../stores/sqlite/__fixtures__/ledger-rows.js';
import { openSqliteStores } from '../../stores/sqlite/index.js';
import { modelsToTry, registerRepriceCommand } from './reprice.js';

const dir = mkdtempSync(join(tmpdir(), 'jevons-reprice-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const day = 86_400_000;
const hour = 3_600_000;
let fileNumber = 0;

/**
 * A correction in jevons.yaml: "smart" (openai gpt-4o) gets its own price, $2 / $8 per Mtok until 2026-11-03, then
 * $3 / $12. Cache kinds have no price, so they are charged at the input price.
 */
const correction = (firstInput = 2) => `
providers:
  - { name: openai, type: openai, api_key_env: OPENAI_API_KEY }
models:
  - name: smart
    provider: openai
    model: gpt-4o
    price:
      - { input_per_mtok: ${firstInput}, output_per_mtok: 8 }
      - { effective_from: 2026-11-03, input_per_mtok: 3, output_per_mtok: 12 }
`;

/** Fixture tokens: 1,000 input, 200 cache read, 30 + 4 cache writes, 500 output. Cost at (input, output) per Mtok. */
const costAt = (input: number, output: number) => ({
  costInputUsd: (1_000 * input) / 1e6,
  costCacheReadUsd: (200 * input) / 1e6,
  costCacheWriteUsd: (34 * input) / 1e6,
  costOutputUsd: (500 * output) / 1e6,
  costRequestUsd: 0,
});

const failed = { status: 500, servedModel: null, inputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 0, reasoningTokens: 0, costInputUsd: null, costCacheReadUsd: null, costCacheWriteUsd: null, costOutputUsd: null, costRequestUsd: null, costTotalUsd: null, priceRef: null };

/** The rows every test starts from, written through the real ledger store; all were priced at the bundled gpt-4o price. */
function sampleRows(): LedgerRow[] {
  const smart = { requestedModel: 'smart', servedModel: 'gpt-4o' };
  return [
    ledgerRow({ id: 'before-range', startedAt: day0 - hour, ...smart }),
    ledgerRow({ id: 'first-version', startedAt: day0 + hour, ...smart }),
    ledgerRow({ id: 'alias-only', startedAt: day0 + 2 * hour, requestedModel: 'smart', servedModel: null }),
    ledgerRow({ id: 'batch', startedAt: day0 + 3 * hour, serviceTier: 'batch', ...smart }),
    ledgerRow({ id: 'second-version', startedAt: day0 + 2 * day + hour, ...smart }),
    ledgerRow({ id: 'failed', startedAt: day0 + 4 * hour, requestedModel: 'smart', ...failed }),
    ledgerRow({ id: 'lost-price', startedAt: day0 + 5 * hour, requestedModel: 'mystery-model', servedModel: 'mystery-model-001' }),
    unpricedRow({ id: 'never-priced', startedAt: day0 + 6 * hour, requestedModel: 'mystery-model', servedModel: null }),
    ledgerRow({ id: 'after-range', startedAt: day0 + 10 * day, ...smart }),
  ];
}

async function setup(options: { config?: string } = {}) {
  const base = join(dir, `case-${++fileNumber}`);
  const db = `${base}.db`;
  const config = `${base}.yaml`;
  writeFileSync(config, options.config ?? correction());
  const stores = openSqliteStores({ path: db });
  await stores.ledger.append(sampleRows());
  await stores.close();
  return { db, config };
}

async function readRows(db: string): Promise<Map<string, LedgerRow>> {
  const stores = openSqliteStores({ path: db });
  try {
    return new Map((await stores.ledger.recent(1_000)).map((row) => [row.id, row]));
  } finally {
    await stores.close();
  }
}

async function reprice(args: string[], now = day0 + 20 * day): Promise<string> {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
  const out: string[] = [];
  registerRepriceCommand(program, { env: {}, print: (text) => out.push(text), now: () => now });
  await program.parseAsync(['reprice', ...args], { from: 'user' });
  return out.join('\n');
}

const original = new Map(sampleRows().map((row) => [row.id, row]));
const unchanged = (rows: Map<string, LedgerRow>, id: string) => expect(rows.get(id), id).toEqual(original.get(id));

describe('jevons reprice', () => {
  it('reprices rows in range at the price in force at each row, sets the audit columns, leaves the rest alone', async () => {
    const { db, config } = await setup();
    const now = day0 + 20 * day;
    const text = await reprice(['--since', '2026-11-01', '--until', '2026-11-05', '-c', config, '--db', db], now);
    const rows = await readRows(db);
    const audit = { previousCostTotalUsd: 0.0077875, previousPriceRef: 'genai-prices:openai/gpt-4o', repricedAt: now };
    expect(rows.get('first-version')).toMatchObject({ ...costAt(2, 8), costTotalUsd: 0.006468, priceRef: 'config:models.smart', ...audit });
    // No served model: the requested alias is priced by its upstream id under the config, like the gateway.
    expect(rows.get('alias-only')).toMatchObject({ costTotalUsd: 0.006468, priceRef: 'config:models.smart', ...audit });
    // Billed at batch: the built-in OpenAI batch rule, half of the configured price.
    expect(rows.get('batch')).toMatchObject({ costTotalUsd: 0.003234, priceRef: 'config:models.smart', ...audit });
    expect(rows.get('second-version')).toMatchObject({ ...costAt(3, 12), costTotalUsd: 0.009702, priceRef: 'config:models.smart@2026-11-03', ...audit });
    // A failed attempt without usage, rows outside the range, and a row that lost its price keep what they had.
    for (const id of ['failed', 'before-range', 'after-range', 'lost-price', 'never-priced']) unchanged(rows, id);
    expect(text).toContain('scanned    7 rows');
    expect(text).toMatch(/changed +4 \(/);
    expect(text).toContain('unpriced   2: 1 had a cost and have no price now (old cost kept, not replaced by NULL); 1 still without a price');
    expect(text).toContain('skipped    1 failed attempts without usage');
    // Before: 5 priced rows at $0.0077875; after: 2 x 0.006468 + 0.003234 + 0.009702, and the lost-price row's kept cost.
    expect(text).toContain('total      $0.0389 → $0.0337 (-$0.005278)');
    expect(text).toMatch(/lost-price {2}openai\/mystery-model {2}2026-11-01T05:00:00.000Z {2}kept \$0.007788 {2}\(no price for the model\)/);
    expect(text).toMatch(/openai +smart +5 +4 +0 /);
  });

  it('keeps the first pre-reprice value when a row is repriced twice, and changes nothing when prices did not move', async () => {
    const { db, config } = await setup();
    await reprice(['--since', '2026-11-01', '-c', config, '--db', db], day0 + 20 * day);
    writeFileSync(config, correction(4));
    const second = day0 + 21 * day;
    await reprice(['--since', '2026-11-01', '-c', config, '--db', db], second);
    const rows = await readRows(db);
    expect(rows.get('first-version')).toMatchObject({ ...costAt(4, 8), priceRef: 'config:models.smart', previousCostTotalUsd: 0.0077875, previousPriceRef: 'genai-prices:openai/gpt-4o', repricedAt: second });
    // Rows of the second version did not change in the second run: their repriced_at stays the first run's.
    expect(rows.get('second-version')).toMatchObject({ costTotalUsd: 0.009702, repricedAt: day0 + 20 * day });
    const again = await reprice(['--since', '2026-11-01', '-c', config, '--db', db], day0 + 22 * day);
    expect(again).toMatch(/changed +0\b/);
    expect(again).toContain('unchanged  5');
    // No --until: the row after the first run's range is repriced too (second version, $0.009702).
    expect(again).toContain('total      $0.0495 → $0.0495 ($0)');
  });

  it('--dry-run reports what would change and writes nothing', async () => {
    const { db, config } = await setup();
    const before = await readRows(db);
    const text = await reprice(['--since', '2026-11-01', '--dry-run', '-c', config, '--db', db]);
    expect(await readRows(db)).toEqual(before);
    expect(text).toMatch(/would change +5/);
    expect(text).toContain('Dry run: nothing was written.');
  });

  it('says what is wrong with its arguments', async () => {
    const { db, config } = await setup();
    await expect(reprice(['--since', 'last week', '-c', config, '--db', db])).rejects.toThrow(/--since: expected an ISO date/);
    await expect(reprice(['--since', '2026-11-05', '--until', '2026-11-01', '-c', config, '--db', db])).rejects.toThrow(/--until \(2026-11-01T00:00:00.000Z\) must be after --since/);
    await expect(reprice(['--since', '2026-11-01', '--until', 'soon', '-c', config, '--db', db])).rejects.toThrow(/--until: expected an ISO date/);
    const missing = join(dir, 'no-such.db');
    await expect(reprice(['--since', '2026-11-01', '-c', config, '--db', missing])).rejects.toThrow(`${missing}: no such ledger file`);
  });
});

describe('modelsToTry', () => {
  const resolve = (model: string) => (model === 'smart' ? { provider: 'openai', upstreamModel: 'gpt-4o' } : null);
  it('tries the served snapshot, then the upstream id of the requested name when it routes to the row provider', () => {
    expect(modelsToTry(ledgerRow({ requestedModel: 'smart', servedModel: 'gpt-4o-2024-08-06' }), resolve)).toEqual(['gpt-4o-2024-08-06', 'gpt-4o']);
    expect(modelsToTry(ledgerRow({ requestedModel: 'smart', servedModel: null }), resolve)).toEqual(['gpt-4o']);
    // A fallback attempt on another provider: the alias's route does not apply there.
    expect(modelsToTry(ledgerRow({ provider: 'anthropic', requestedModel: 'smart', servedModel: 'claude-x' }), resolve)).toEqual(['claude-x', 'smart']);
  });
});
