/**
 * `jevons reconcile` end to end, in process: a ledger written through the real SQLite store, the fixture exports,
 * the command registered on a fresh commander program, its output and exit code.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { LedgerRow } from '../../spec/ledger.js';
import { day0, ledgerRow } from '../../stores/sqlite/__fixtures__/ledger-rows.js';
import { openSqliteStores } from '../../stores/sqlite/open-sqlite-stores.js';
import { registerReconcileCommand } from './reconcile.js';

const dir = mkdtempSync(join(tmpdir(), 'jevons-reconcile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixture = (name: string) => fileURLToPath(new URL(`../../reconcile/__fixtures__/${name}`, import.meta.url));
const day = 86_400_000;
const dbPath = join(dir, 'ledger.db');
const configPath = join(dir, 'jevons.yaml');

let next = 0;
/** One priced ledger row of `tokens` at `prices` ($/Mtok). */
function row(options: { at: number; provider?: string; served: string | null; requested?: string; tokens: { input?: number; cacheRead?: number; output?: number }; prices: { input: number; cacheRead?: number; output: number }; estimated?: boolean }): LedgerRow {
  const t = { input: 0, cacheRead: 0, output: 0, ...options.tokens };
  const usd = (tokens: number, perMtok = 0) => (tokens * perMtok) / 1e6;
  const [input, cacheRead, output] = [usd(t.input, options.prices.input), usd(t.cacheRead, options.prices.cacheRead), usd(t.output, options.prices.output)];
  next++;
  return ledgerRow({
    id: `row-${next}`,
    requestId: `req-${next}`,
    startedAt: options.at,
    endedAt: options.at + 500,
    provider: options.provider ?? 'openai-main',
    requestedModel: options.requested ?? options.served ?? 'unknown',
    servedModel: options.served,
    inputTokens: t.input,
    cacheReadTokens: t.cacheRead,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    outputTokens: t.output,
    reasoningTokens: 0,
    usageEstimated: options.estimated ?? false,
    costInputUsd: input,
    costCacheReadUsd: cacheRead,
    costCacheWriteUsd: 0,
    costOutputUsd: output,
    costTotalUsd: input + cacheRead + output,
    priceRef: 'genai-prices:openai/gpt-4o',
  });
}

beforeAll(async () => {
  writeFileSync(
    configPath,
    stringify({
      storage: { path: join(dir, 'unused.db') },
      providers: [
        { name: 'openai-main', type: 'openai', api_key_env: 'OPENAI_MAIN_KEY' },
        { name: 'anthropic', type: 'anthropic', api_key_env: 'ANTHROPIC_KEY' },
      ],
      models: [{ name: 'fast', provider: 'openai-main', model: 'gpt-4o-mini' }],
    }),
  );
  const gpt4o = { input: 2.5, cacheRead: 1.25, output: 10 };
  const stores = openSqliteStores({ path: dbPath });
  await stores.ledger.append([
    // 2026-11-01: exactly the costs fixture, split over rows; the mini traffic partly through the "fast" alias.
    row({ at: day0 + 1_000, served: 'gpt-4o-2024-08-06', requested: 'gpt-4o', tokens: { input: 1_000_000, cacheRead: 400_000, output: 200_000 }, prices: gpt4o }),
    row({ at: day0 + 2_000, served: 'gpt-4o-2024-08-06', requested: 'gpt-4o', tokens: { input: 200_000, output: 100_000 }, prices: gpt4o }),
    row({ at: day0 + 3_000, served: 'gpt-4o-mini-2024-07-18', tokens: { input: 1_500_000, output: 400_000 }, prices: { input: 0.15, output: 0.6 } }),
    row({ at: day0 + 4_000, served: null, requested: 'fast', tokens: { input: 500_000, output: 100_000 }, prices: { input: 0.15, output: 0.6 }, estimated: true }),
    // 2026-11-02: 90% of the export's gpt-4o spend.
    row({ at: day0 + day + 5_000, served: 'gpt-4o-2024-08-06', tokens: { input: 900_000, output: 180_000 }, prices: gpt4o }),
    // Left out: another provider type, and a provider the config does not know.
    row({ at: day0 + 6_000, provider: 'anthropic', served: 'claude-sonnet-4-5-20250929', tokens: { input: 10 }, prices: { input: 3, output: 15 } }),
    row({ at: day0 + 7_000, provider: 'openai-eu', served: 'gpt-4o-2024-08-06', tokens: { input: 10 }, prices: gpt4o }),
    // Outside the export's range.
    row({ at: day0 + 5 * day, served: 'gpt-4o-2024-08-06', tokens: { input: 10 }, prices: gpt4o }),
  ]);
  await stores.close();
});

/** Runs `jevons reconcile ARGS` through a fresh commander program. */
async function reconcileCli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  let code: number | undefined;
  const program = new Command('jevons').exitOverride();
  registerReconcileCommand(program, { env: {}, print: (text) => out.push(text), printError: (text) => err.push(text), setExitCode: (value) => (code = value) });
  await program.parseAsync(['reconcile', ...args], { from: 'user' });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('jevons reconcile', () => {
  it('prints the drift per day x model with its likely cause and exits 1 past --max-drift', async () => {
    const result = await reconcileCli([fixture('openai-costs.json'), '-c', configPath, '--db', dbPath]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`Reconciling openai export (openai-costs): ${fixture('openai-costs.json')}`);
    expect(lines[1]).toBe('Range: 2026-11-01 .. 2026-11-03 (UTC days)   ledger providers: openai-main   max drift: 1%');
    const rowOf = (prefix: string) => lines.find((line) => line.startsWith(prefix))?.split(/\s{2,}/);
    expect(lines[4]?.split(/\s{2,}/)).toEqual(['day', 'model', 'export $', 'ledger $', 'drift', 'ledger tokens', 'status']);
    expect(rowOf('2026-11-01  gpt-4o ')).toEqual(['2026-11-01', 'gpt-4o', '$6.50', '$6.50', '0.00%', '1,900,000', 'ok']);
    expect(rowOf('2026-11-01  gpt-4o-mini')).toEqual(['2026-11-01', 'gpt-4o-mini', '$0.60', '$0.60', '0.00%', '2,500,000', 'ok*']);
    expect(rowOf('2026-11-02  gpt-4o')).toEqual(['2026-11-02', 'gpt-4o', '$4.50', '$4.05', '-10.00%', '1,080,000', 'DRIFT: bypassed']);
    expect(rowOf('total')).toEqual(['total', '$11.60', '$11.15', '-3.88%', 'DRIFT']);
    expect(result.stdout).toContain('    1. bypassed: the export has $0.45 of spend the ledger lacks (≈ 120,000 tokens at the $3.75/Mtok Jevons averaged)');
    expect(result.stdout).toContain('    - estimated: 1 ledger row(s) have estimated usage');
    expect(result.stdout).toContain('  gpt-4o-mini <- export: gpt-4o-mini-2024-07-18; ledger: gpt-4o-mini, gpt-4o-mini-2024-07-18');
    expect(result.stdout).toContain('ledger rows of anthropic, openai-eu were left out (not openai providers; pick one with --provider)');
    expect(lines.at(-1)).toBe('DRIFT: 1 of 3 cell(s) and the total past 1% (total -3.88%).');
  });

  it('exits 0 when every cell and the total are within a larger --max-drift, and writes JSON with --json', async () => {
    const result = await reconcileCli([fixture('openai-costs.json'), '-c', configPath, '--db', dbPath, '--max-drift', '10', '--json']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { ok: boolean; exitCode: number; measure: string; since: string; cells: { day: string; model: string; drift: number; ok: boolean }[]; providers: string[] };
    expect(json).toMatchObject({ ok: true, exitCode: 0, measure: 'usd', since: '2026-11-01T00:00:00.000Z', providers: ['openai-main'] });
    expect(json.cells.map((cell) => [cell.day, cell.model, cell.ok])).toEqual([['2026-11-01', 'gpt-4o', true], ['2026-11-01', 'gpt-4o-mini', true], ['2026-11-02', 'gpt-4o', true]]);
    expect(json.cells[2]?.drift).toBeCloseTo(-0.1, 9);
  });

  it('compares a usage export per key with --key-map, and restricts rows with --provider', async () => {
    const result = await reconcileCli([fixture('openai-usage-completions.jsonl'), '-c', configPath, '--db', dbPath, '--key-map', 'key_A1b2C3d4E5f6G7h8=openai-main', '--provider', 'openai-main']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/\n2026-11-01 +gpt-4o +\(unmapped keys\) +700,000 +0 +-100\.00% +\$2\.375 +\$0 +DRIFT: bypassed\n/);
    expect(result.stdout).not.toContain('were left out');
  });

  it('exits 2 naming the file and JSON path of a malformed export', async () => {
    const result = await reconcileCli([fixture('anthropic-usage-malformed.json'), '--db', dbPath]);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain(`${fixture('anthropic-usage-malformed.json')}: data[1].results[0].output_tokens: Invalid input: expected number, received string`);
  });

  it('exits 2 on a missing file, a missing ledger, and bad options', async () => {
    const missing = join(dir, 'nope.json');
    expect(await reconcileCli([missing, '--db', dbPath])).toMatchObject({ code: 2, stderr: expect.stringContaining(`jevons reconcile: ${missing}: cannot read the file: ENOENT`) });
    expect(await reconcileCli([fixture('openai-costs.json'), '--db', join(dir, 'none.db')])).toMatchObject({ code: 2, stderr: expect.stringContaining('none.db: no such ledger file') });
    expect(await reconcileCli([fixture('openai-costs.json'), '--db', dbPath, '--max-drift', 'lots'])).toMatchObject({ code: 2, stderr: 'jevons reconcile: --max-drift: expected a percentage >= 0 such as 1 or 0.5, got "lots"' });
    expect(await reconcileCli([fixture('openai-costs.json'), '--db', dbPath, '--format', 'csv'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--format: unknown format "csv"') });
    expect(await reconcileCli([fixture('openai-costs.json'), '--db', dbPath, '--key-map', 'oops'])).toMatchObject({ code: 2, stderr: 'jevons reconcile: --key-map: expected <apiKeyId>=<providerName>, got "oops"' });
  });
});
