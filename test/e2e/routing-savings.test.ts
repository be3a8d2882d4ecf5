/**
 * Routing savings end to end (docs/routing.md "Routing savings"): the real gateway and SDK clients against the
 * emulator, with scripted usage, so every ledger cost and baseline below is computed by hand from the bundled prices
 * (USD per million tokens):
 *   gpt-4o             input 2.50, cache read 1.25,  output 10
 *   gpt-4o-mini        input 0.15, cache read 0.075, output 0.60
 *   claude-sonnet-4-5  input 3,    cache read 0.30,  cache write 5m 3.75, output 15
 *   claude-haiku-4-5   input 1,    cache read 0.10,  cache write 5m 1.25, output 5
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import BetterSqlite3 from 'better-sqlite3';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routingSavings } from '../../src/stores/sqlite/admin-routing.js';
import { startStack, type Stack } from '../support/stack.js';

const routing = {
  tiers: [
    { name: 'small', models: ['gpt-4o-mini'] },
    { name: 'large', models: ['claude-sonnet-4-5'] },
  ],
  rules: [
    { match: { feature: 'support' }, tier: 'small' },
    { match: { feature: 'summaries' }, model: 'claude-haiku-4-5' },
  ],
};

const dir = mkdtempSync(join(tmpdir(), 'jevons-routing-savings-'));
const ledgerPath = join(dir, 'ledger.db');
let stack: Stack;
let openai: OpenAI;
let anthropic: Anthropic;
const startedAt = Date.now();

beforeAll(async () => {
  stack = await startStack({ config: { routing, storage: { path: ledgerPath, flush_interval_ms: 10 } } });
  openai = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: 'unused', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: stack.anthropicBaseUrl, apiKey: 'unused', maxRetries: 0 });
});
afterAll(async () => {
  await stack.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The `[[emu:…]]` directive that scripts the emulator's answer and usage (docs/emulator.md). */
const emu = (directive: Record<string, unknown>): string => `[[emu:${JSON.stringify(directive)}]]`;
const lastUpstream = () => stack.emulator.requests.at(-1)?.body as Record<string, unknown> | undefined;

async function openaiCall(model: string, usage: Record<string, number>, headers: Record<string, string>) {
  const { response } = await openai.chat.completions.create({ model, messages: [{ role: 'user', content: `Hello ${emu({ reply: 'Hi.', usage })}` }] }, { headers }).withResponse();
  return stack.rowsOf(response.headers.get('x-jevons-request-id') ?? '');
}

describe('baseline_cost_usd on ledger rows', () => {
  it('a rule-routed OpenAI call: gpt-4o asked, gpt-4o-mini served, gpt-4o the baseline', async () => {
    const rows = await openaiCall('gpt-4o', { input: 10_000, cache_read: 4_000, output: 2_000 }, { 'x-jevons-feature': 'support' });
    expect(lastUpstream()?.model).toBe('gpt-4o-mini');
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({
      requestedModel: 'gpt-4o', provider: 'openai', routeTier: 'small', routeReason: 'rule:0',
      inputTokens: 10_000, cacheReadTokens: 4_000, outputTokens: 2_000, baselineProvider: 'openai', baselineModel: 'gpt-4o',
    });
    // Served at gpt-4o-mini: 10,000 × 0.15 + 4,000 × 0.075 + 2,000 × 0.60 = 1,500 + 300 + 1,200 = $0.003.
    expect(row?.costTotalUsd).toBeCloseTo(0.003, 12);
    // Baseline at gpt-4o: 10,000 × 2.50 + 4,000 × 1.25 + 2,000 × 10 = 25,000 + 5,000 + 20,000 = $0.05; saved $0.047.
    expect(row?.baselineCostUsd).toBeCloseTo(0.05, 12);
  });

  it('a rule-routed Anthropic call: claude-sonnet-4-5 asked, claude-haiku-4-5 served (a rule model: no tier)', async () => {
    const message = await anthropic.messages
      .create(
        { model: 'claude-sonnet-4-5', max_tokens: 1_000, messages: [{ role: 'user', content: `Summarise ${emu({ reply: 'Short.', usage: { input: 3_000, cache_read: 20_000, cache_write_5m: 2_000, output: 800 } })}` }] },
        { headers: { 'x-jevons-feature': 'summaries' } },
      )
      .withResponse();
    expect(lastUpstream()?.model).toBe('claude-haiku-4-5');
    const [row] = await stack.rowsOf(message.response.headers.get('x-jevons-request-id') ?? '');
    expect(row).toMatchObject({
      requestedModel: 'claude-sonnet-4-5', provider: 'anthropic', routeTier: null, routeReason: 'rule:1',
      inputTokens: 3_000, cacheReadTokens: 20_000, cacheWrite5mTokens: 2_000, outputTokens: 800,
      baselineProvider: 'anthropic', baselineModel: 'claude-sonnet-4-5',
    });
    // Served at claude-haiku-4-5: 3,000 × 1 + 20,000 × 0.10 + 2,000 × 1.25 + 800 × 5 = 3,000 + 2,000 + 2,500 + 4,000 = $0.0115.
    expect(row?.costTotalUsd).toBeCloseTo(0.0115, 12);
    // Baseline at claude-sonnet-4-5: 3,000 × 3 + 20,000 × 0.30 + 2,000 × 3.75 + 800 × 15 = 9,000 + 6,000 + 7,500 + 12,000 = $0.0345.
    expect(row?.baselineCostUsd).toBeCloseTo(0.0345, 12);
  });

  it('jevons/auto: the baseline is the strongest automatic tier’s first model (claude-sonnet-4-5)', async () => {
    // The tier header picks the tier, so no classifier score is involved.
    const [row] = await openaiCall('jevons/auto', { input: 1_000, output: 100 }, { 'x-jevons-tier': 'small' });
    expect(row).toMatchObject({ requestedModel: 'jevons/auto', routeTier: 'small', routeReason: 'header', baselineProvider: 'anthropic', baselineModel: 'claude-sonnet-4-5' });
    // Served at gpt-4o-mini: 1,000 × 0.15 + 100 × 0.60 = $0.00021; baseline: 1,000 × 3 + 100 × 15 = $0.0045.
    expect(row?.costTotalUsd).toBeCloseTo(0.00021, 12);
    expect(row?.baselineCostUsd).toBeCloseTo(0.0045, 12);
  });

  it('no baseline for a pinned model or a call routed by its name alone', async () => {
    const [pinned] = await openaiCall('gpt-4o', { input: 500, output: 50 }, { 'x-jevons-tier': 'small', 'x-jevons-model-pin': 'true' });
    expect(pinned).toMatchObject({ routeReason: 'pinned', baselineProvider: null, baselineModel: null, baselineCostUsd: null });
    const [plain] = await openaiCall('gpt-4o', { input: 500, output: 50 }, {});
    expect(plain).toMatchObject({ routeReason: null, baselineProvider: null, baselineModel: null, baselineCostUsd: null });
  });

  it('routingSavings over the ledger file sums what the rows say', async () => {
    await stack.gateway.writer.flush();
    const db = new BetterSqlite3(ledgerPath, { readonly: true });
    try {
      const savings = routingSavings(db, { since: startedAt, until: Date.now() + 1 });
      // Three requests routing served as decided (the pinned and the plain one are not), every row priced.
      expect(savings.served).toMatchObject({ decisions: 3, rows: 3, unpricedRows: 0 });
      expect(savings.served.costUsd).toBeCloseTo(0.003 + 0.0115 + 0.00021, 12);
      expect(savings.served.baselineUsd).toBeCloseTo(0.05 + 0.0345 + 0.0045, 12);
      // (0.05 - 0.003) + (0.0345 - 0.0115) + (0.0045 - 0.00021) = 0.047 + 0.023 + 0.00429.
      expect(savings.served.savedUsd).toBeCloseTo(0.07429, 12);
      expect(savings.servedAuto).toMatchObject({ decisions: 1, rows: 1 });
      expect(savings.servedAuto.savedUsd).toBeCloseTo(0.00429, 12);
      expect(savings.shadow.decisions).toBe(0);
    } finally {
      db.close();
    }
  });
});
