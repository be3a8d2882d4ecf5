import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { createPriceCatalog } from '../../pricing/index.js';
import { perMtokText, resolvePrices } from './price-table.js';
import { registerPricesCommand, type ModelPriceReport } from './prices.js';
import type { PricesCheckResult } from './prices-check.js';

const dir = mkdtempSync(join(tmpdir(), 'jevons-prices-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const now = Date.parse('2026-11-23T12:00:00Z');
let fileNumber = 0;

const providers = `
providers:
  - { name: openai, type: openai, api_key_env: OPENAI_API_KEY }
  - { name: anthropic, type: anthropic, api_key_env: ANTHROPIC_API_KEY }
  - { name: groq, type: openai-compatible, preset: groq }
  - { name: local, type: openai-compatible, base_url: http://127.0.0.1:9/v1 }
`;

/** "dated": two configured versions of a gpt-4.1 price, the second from 2026-06-01 with a context tier and batch factor. */
const pricedConfig = `${providers}
models:
  - name: dated
    provider: openai
    model: gpt-4.1
    price:
      - { input_per_mtok: 2, output_per_mtok: 8, cache_read_per_mtok: 0.5 }
      - effective_from: 2026-06-01
        input_per_mtok: 1.5
        output_per_mtok: 6
        cache_read_per_mtok: 0.375
        context_tiers: [{ above_input_tokens: 128000, input_per_mtok: 3, output_per_mtok: 12 }]
        service_tiers: { batch: { factor: 0.4 } }
  - name: own
    provider: local
    model: house-model
    price: { input_per_mtok: 1, output_per_mtok: 2, input_audio_per_mtok: 40, request_usd: 0.001 }
`;

function configFile(text: string): string {
  const path = join(dir, `jevons-${++fileNumber}.yaml`);
  writeFileSync(path, text);
  return path;
}

async function run(args: string[], config: string): Promise<{ text: string; code: number }> {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
  const out: string[] = [];
  let code = 0;
  registerPricesCommand(program, { env: {}, print: (text) => out.push(text), now: () => now, setExitCode: (value) => (code = value) });
  await program.parseAsync(['prices', ...args, '-c', configFile(config)], { from: 'user' });
  return { text: out.join('\n'), code };
}

const bundled = createPriceCatalog({});

describe('jevons prices <model>', () => {
  it('shows a bundled model with the catalog numbers, ref, fallbacks and service tiers', async () => {
    const entry = bundled.lookup({ providerFamily: 'openai', model: 'gpt-4o' });
    if (entry === null) throw new Error('gpt-4o must be in the bundled data');
    const { text, code } = await run(['gpt-4o'], providers);
    expect(code).toBe(0);
    const lines = text.split('\n');
    expect(lines).toContain('  route          provider openai (price family openai) → upstream model gpt-4o');
    expect(text).toMatch(/price +genai-prices:openai\/gpt-4o — bundled @pydantic\/genai-prices \d+\.\d+\.\d+/);
    const row = (kind: string) => lines.find((line) => line.startsWith(`    ${kind}  `))?.trim().split(/ {2,}/);
    const batch = entry.serviceTiers.batch?.base;
    const priority = entry.serviceTiers.priority?.base;
    if (batch === undefined || priority === undefined) throw new Error('gpt-4o has batch and priority prices');
    expect(row('USD / Mtok')).toEqual(['USD / Mtok', 'standard', 'batch', 'priority']);
    expect(row('input')).toEqual(['input', perMtokText(entry.base.inputPerMtok), perMtokText(batch.inputPerMtok), perMtokText(priority.inputPerMtok)]);
    expect(row('output')).toEqual(['output', perMtokText(entry.base.outputPerMtok), perMtokText(batch.outputPerMtok), perMtokText(priority.outputPerMtok)]);
    expect(row('cache read')?.[1]).toBe(perMtokText(entry.base.cacheReadPerMtok ?? Number.NaN));
    // OpenAI has no cache-write price: such tokens would be charged at the input price.
    expect(row('cache write 5m')).toEqual(['cache write 5m', '= input', '= input', '= input']);
    expect(row('reasoning')?.[1]).toBe('= output');
    expect(row('audio in')).toBeUndefined();
    expect(text).toContain(`batch: ${entry.serviceTiers.batch?.source}`);
    expect(text).toContain('flex: no price (a call billed at flex is recorded unpriced)');
    expect(text).toContain('request fee    none');
  });

  it('prints the same numbers as JSON', async () => {
    const { text } = await run(['--json', 'claude-sonnet-4-5'], providers);
    const [report] = JSON.parse(text) as ModelPriceReport[];
    const entry = bundled.lookup({ providerFamily: 'anthropic', model: 'claude-sonnet-4-5' });
    expect(report?.price?.ref).toBe('genai-prices:anthropic/claude-sonnet-4-5');
    expect(report?.price?.contextTiers).toEqual(entry?.tiers.map((tier) => tier.aboveInputTokens));
    const standard = report?.price?.columns[0];
    expect(standard?.perMtok.cacheWrite1h).toBe(entry?.base.cacheWrite1hPerMtok);
    expect(report?.price?.columns.map((column) => column.label)).toEqual(['standard', '> 200k', 'batch', 'batch > 200k', 'priority', 'priority > 200k']);
  });

  it('shows the configured version in force at --at, its source, tiers and the other versions', async () => {
    const before = await run(['dated', '--at', '2026-05-31T23:59:59Z'], pricedConfig);
    expect(before.text).toMatch(/price +config:models\.dated — config .*jevons-\d+\.yaml: models\.dated\n/);
    expect(before.text).toMatch(/\n {4}input +2 +1 +3\.5\n/);
    expect(before.text).toMatch(/config:models\.dated@2026-06-01 +from 2026-06-01 +newer/);
    expect(before.text).toMatch(/genai-prices:openai\/gpt-4\.1 +no start date +replaced/);

    const after = await run(['dated', '--at', '2026-06-01'], pricedConfig);
    expect(after.text).toContain('config:models.dated@2026-06-01 — config');
    expect(after.text).toContain('in force       from 2026-06-01 (prices at 2026-06-01T00:00:00.000Z)');
    // standard, > 128k, batch (0.4 of standard, from config), batch > 128k, priority (built-in OpenAI table).
    expect(after.text).toMatch(/\n {4}input +1\.5 +3 +0\.6 +1\.2 +3\.5\n/);
    expect(after.text).toContain('batch: config:models.dated');
    expect(after.text).toContain('context tiers  > 128,000 input tokens');
    expect(after.text).toMatch(/config:models\.dated +no start date +older/);
  });

  it('shows bundled time-of-day prices as daily windows, alternatives to the one in force', async () => {
    const versions = bundled.versions({ providerFamily: 'deepseek', model: 'deepseek-chat' });
    const window = versions.map((entry) => /@(\d{2}:\d{2}:\d{2}Z-\d{2}:\d{2}:\d{2}Z)$/.exec(entry.ref)?.[1]).find((found) => found !== undefined);
    if (window === undefined) throw new Error('the bundled deepseek-chat price has an off-peak window');
    const { text } = await run(['deepseek/deepseek-chat', '--at', '2026-11-23T20:00:00Z'], `${providers}  - { name: deepseek, type: openai-compatible, preset: deepseek }\n`);
    expect(text).toMatch(new RegExp(`genai-prices:deepseek/deepseek-chat@${window} +daily ${window} +(alternative|in force)`));
    expect(text).toMatch(/genai-prices:deepseek\/deepseek-chat +no start date +(alternative|in force)/);
  });

  it('shows modality prices and the per-request fee when a model has them', async () => {
    const { text } = await run(['own'], pricedConfig);
    expect(text).toMatch(/\n {4}audio in +40\n/);
    // Only the modality kinds the model prices get a row.
    expect(text).not.toContain('audio out');
    expect(text).toContain('request fee    $0.001 per request');
  });

  it('says which names are unpriced or not routable, and exits 1', async () => {
    const { text, code } = await run(['gpt-4o', 'local/mystery', 'nope'], providers);
    expect(code).toBe(1);
    expect(text).toContain('local/mystery: unpriced — no price for "mystery" in price family "local"');
    expect(text).toMatch(/^nope: not routable with this configuration \(routable: .*"<provider>\/<model>" for providers/m);
  });

  it('lists every configured model in one table without arguments', async () => {
    const { text, code } = await run([], `${pricedConfig}
pricing:
  prices:
    - { provider: groq, model: custom-llm, price: { input_per_mtok: 0.1, output_per_mtok: 0.2 } }
`);
    expect(code).toBe(0);
    const lines = text.split('\n');
    expect(lines[1]).toMatch(/^model +provider\/upstream +input +cache read +cache write +output +context tiers +service tiers +fee +price$/);
    expect(lines.slice(3).map((line) => line.split(/ +/)[0])).toEqual(['dated', 'own', 'groq/custom-llm']);
    expect(text).toMatch(/dated +openai\/gpt-4\.1 +1\.5 +0\.375 +1\.5 +6 +>128k +batch priority +config:models\.dated@2026-06-01 \(config\)/);
  });

  it('rejects a malformed --at with the option named', async () => {
    await expect(run(['gpt-4o', '--at', 'yesterday'], providers)).rejects.toThrow(/--at: expected an ISO date \(2026-11-01\) or date-time .*got "yesterday"/);
  });
});

describe('jevons prices check', () => {
  const checkConfig = `${providers}
models:
  - { name: fast, provider: groq, model: llama-3.1-8b-instant, price: { input_per_mtok: 0.06, output_per_mtok: 0.08 } }
  - { name: mine, provider: local }
  - { name: sonnet, provider: anthropic, model: claude-sonnet-4-5 }
  - name: later
    provider: openai
    model: gpt-4o-mini
    price:
      - { input_per_mtok: 0.15, output_per_mtok: 0.6, cache_read_per_mtok: 0.075 }
      - { effective_from: 2027-01-01, input_per_mtok: 0.1, output_per_mtok: 0.4 }
`;

  it('fails on a configured model without a price and lists differing and future prices', async () => {
    const { text, code } = await run(['check'], checkConfig);
    expect(code).toBe(1);
    expect(text).toContain('  models[1] mine → local/mine: no price for "mine" in price family "local"');
    expect(text).toContain('models[0].price fast: config:models.fast instead of genai-prices:groq/llama-3.1-8b-instant');
    const bundledInput = bundled.lookup({ providerFamily: 'groq', model: 'llama-3.1-8b-instant' })?.base.inputPerMtok ?? Number.NaN;
    const percent = Math.round(((0.06 - bundledInput) / bundledInput) * 1000) / 10;
    expect(text).toMatch(new RegExp(`standard +input +0\\.06 +${perMtokText(bundledInput).replace('.', '\\.')} +\\+${perMtokText(0.06 - bundledInput).replace('.', '\\.')} \\(\\+${percent}%\\)`));
    // Only the kinds that are charged differently are listed.
    expect(text).not.toMatch(/standard +output +0\.08/);
    expect(text).toContain('models[3].price[1].effective_from later: from 2027-01-01; until then config:models.later applies');
    expect(text).toContain('1 configured model has no price.');
    expect(text).not.toContain('sonnet');
  });

  it('passes when every configured model is priced; differences are informational; JSON has the details', async () => {
    const priced = checkConfig.replace('{ name: mine, provider: local }', '{ name: mine, provider: local, price: { input_per_mtok: 1, output_per_mtok: 1 } }');
    const { text, code } = await run(['check'], priced);
    expect(code).toBe(0);
    expect(text).toContain('OK: every configured model has a price.');
    const json = await run(['check', '--json'], priced);
    const result = JSON.parse(json.text) as PricesCheckResult;
    expect(result.unpriced).toEqual([]);
    expect(result.differing.map((item) => item.path)).toEqual(['models[0].price']);
    expect(result.differing[0]?.differences).toEqual([{ column: 'standard', kind: 'input', config: 0.06, bundled: bundled.lookup({ providerFamily: 'groq', model: 'llama-3.1-8b-instant' })?.base.inputPerMtok }]);
    expect(result.future).toHaveLength(1);
  });

  it('reports a configured price another entry overrides', async () => {
    const { text } = await run(['check'], `${providers}
models:
  - { name: a, provider: local, model: same, price: { input_per_mtok: 1, output_per_mtok: 1 } }
pricing:
  prices:
    - { provider: local, model: same, price: { input_per_mtok: 2, output_per_mtok: 2 } }
`);
    expect(text).toContain('models[0].price (a): config:pricing.prices.local/same is used instead');
  });

  it('takes -c before the subcommand too', async () => {
    const program = new Command().exitOverride();
    const out: string[] = [];
    registerPricesCommand(program, { env: {}, print: (text) => out.push(text), now: () => now, setExitCode: () => undefined });
    const path = configFile(checkConfig);
    await program.parseAsync(['prices', '-c', path, 'check'], { from: 'user' });
    expect(out.join('\n')).toContain(`Prices of the models configured in ${path}`);
  });
});

describe('resolvePrices', () => {
  it('follows computeCost fallbacks: 1h write -> 5m write -> input, audio cache read -> cache read', () => {
    expect(resolvePrices({ inputPerMtok: 3, outputPerMtok: 15, cacheWrite5mPerMtok: 3.75 })).toMatchObject({ perMtok: { cacheWrite1h: 3.75, cacheRead: 3 }, fallbacks: { cacheWrite1h: 'cacheWrite5m', cacheRead: 'input' } });
    expect(resolvePrices({ inputPerMtok: 3, outputPerMtok: 15 }).fallbacks).toMatchObject({ cacheWrite1h: 'input', cacheReadAudio: 'input', reasoning: 'output' });
    expect(resolvePrices({ inputPerMtok: 3, outputPerMtok: 15, cacheReadPerMtok: 0.3 })).toMatchObject({ perMtok: { cacheReadAudio: 0.3 }, fallbacks: { cacheReadAudio: 'cacheRead' } });
    expect([perMtokText(0.1 + 0.2), perMtokText(0.000075), perMtokText(1e-7)]).toEqual(['0.3', '0.000075', '0.0000001']);
  });
});
