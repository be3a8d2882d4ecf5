import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from '../spec/config/load-config.js';
import { emptyUsage, type TokenUsage } from '../spec/usage.js';
import { computeCost } from './compute-cost.js';
import { overridesFromConfig } from './config-prices.js';
import { createPriceCatalog } from './price-catalog.js';

const yaml = `
providers:
  - { name: openai, type: openai }
  - { name: house, type: openai-compatible, base_url: "http://127.0.0.1:1/v1", price_family: house }
models:
  - name: negotiated-4o
    provider: openai
    model: gpt-4o
    price:
      - { input_per_mtok: 2, output_per_mtok: 8 }
      - effective_from: "2026-06-01"
        input_per_mtok: 1.5
        output_per_mtok: 6
        cache_read_per_mtok: 0.5
        service_tiers: { batch: { factor: 0.5 }, priority: { input_per_mtok: 5, output_per_mtok: 20 } }
  - name: house-llm
    provider: house
    price:
      input_per_mtok: 0.1
      output_per_mtok: 0.3
      request_usd: 0.001
      context_tiers: [{ above_input_tokens: 100000, input_per_mtok: 0.2, output_per_mtok: 0.6 }]
pricing:
  prices:
    - provider: openai
      model: gpt-4o-mini
      price: { effective_from: "2026-03-01T12:00:00Z", input_per_mtok: 0.1, output_per_mtok: 0.4 }
`;

const config = parseConfigText({ text: yaml, env: {}, source: 'jevons.yaml' }).config;
const families: Record<string, string> = { openai: 'openai', house: 'house' };
const catalog = createPriceCatalog({ overrides: overridesFromConfig({ config, priceFamilyOf: (name) => families[name] }) });
const usage = (parts: Partial<TokenUsage>): TokenUsage => ({ ...emptyUsage(), ...parts });
const day = (iso: string) => Date.parse(iso);

const problemsOf = (text: string): string[] => {
  try {
    parseConfigText({ text, env: {}, source: 'jevons.yaml' });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('configured prices', () => {
  it('applies each dated version from its effective date, and names the version in the ref', () => {
    expect(catalog.lookup({ providerFamily: 'openai', model: 'gpt-4o', at: day('2026-05-31T23:59:59Z') })).toMatchObject({ ref: 'config:models.negotiated-4o', base: { inputPerMtok: 2 } });
    const june = catalog.lookup({ providerFamily: 'openai', model: 'gpt-4o', at: day('2026-06-01T00:00:00Z') });
    expect(june).toMatchObject({ ref: 'config:models.negotiated-4o@2026-06-01', effectiveFrom: day('2026-06-01'), base: { inputPerMtok: 1.5, cacheReadPerMtok: 0.5 } });
    // The served snapshot id of the same model gets the configured price too.
    expect(catalog.lookup({ providerFamily: 'openai', model: 'gpt-4o-2024-08-06', at: day('2026-07-01') })?.ref).toBe('config:models.negotiated-4o@2026-06-01');
    expect(catalog.lookup({ providerFamily: 'openai', model: 'gpt-4o-mini-2024-07-18', at: day('2026-07-01') })?.ref).toBe('config:pricing.prices.openai/gpt-4o-mini@2026-03-01T12:00:00.000Z');
  });

  it('before its first dated version a configured price leaves the bundled price in force', () => {
    expect(catalog.lookup({ providerFamily: 'openai', model: 'gpt-4o-mini', at: day('2026-03-01T11:59:59Z') })).toMatchObject({ source: 'bundled', ref: 'genai-prices:openai/gpt-4o-mini' });
    expect(catalog.lookup({ providerFamily: 'openai', model: 'gpt-4o-mini', at: day('2026-03-01T12:00:00Z') })).toMatchObject({ ref: 'config:pricing.prices.openai/gpt-4o-mini@2026-03-01T12:00:00.000Z' });
  });

  it('prices service tiers by factor or by their own prices, and keeps built-in tiers it does not override', () => {
    const entry = catalog.lookup({ providerFamily: 'openai', model: 'gpt-4o', at: day('2026-07-01') });
    if (entry === null) throw new Error('expected a price');
    const million = usage({ inputTokens: 1_000_000, outputTokens: 1_000_000 });
    expect(computeCost({ ...million, serviceTier: 'batch' }, entry)?.totalUsd).toBe(3.75);
    expect(computeCost({ ...million, serviceTier: 'priority' }, entry)?.totalUsd).toBe(25);
    expect(entry.serviceTiers.batch?.source).toBe('config:models.negotiated-4o');
    // No configured flex price, and gpt-4o has no published flex tier: unpriced, not standard.
    expect(computeCost({ ...million, serviceTier: 'flex' }, entry)).toBeNull();
  });

  it('custom models get context tiers and a per-request fee', () => {
    const entry = catalog.lookup({ providerFamily: 'house', model: 'house-llm' });
    if (entry === null) throw new Error('expected a price');
    expect(computeCost(usage({ inputTokens: 100_000, outputTokens: 1_000 }), entry)).toMatchObject({ inputUsd: 0.01, outputUsd: 0.0003, requestUsd: 0.001, totalUsd: 0.0113 });
    expect(computeCost(usage({ inputTokens: 100_001 }), entry)?.inputUsd).toBe(0.0200002);
  });

  it('finds every version by its ref, including versions no longer in force', () => {
    for (const ref of ['config:models.negotiated-4o', 'config:models.negotiated-4o@2026-06-01', 'config:models.house-llm', 'genai-prices:openai/gpt-4o', 'genai-prices:anthropic/claude-sonnet-4-5']) {
      expect(catalog.byRef(ref)?.ref, ref).toBe(ref);
    }
    expect(catalog.byRef('config:models.nope')).toBeNull();
    expect(catalog.byRef('genai-prices:openai/no-such-model')).toBeNull();
    expect(catalog.versions({ providerFamily: 'openai', model: 'gpt-4o' }).map((entry) => entry.ref)).toEqual(['genai-prices:openai/gpt-4o', 'config:models.negotiated-4o', 'config:models.negotiated-4o@2026-06-01']);
  });

  it('rejects bad price config with the path at fault', () => {
    const base = 'providers:\n  - { name: openai, type: openai }\n';
    expect(problemsOf(`${base}models:\n  - name: a\n    provider: openai\n    price: [{ input_per_mtok: 1, output_per_mtok: 1 }, { input_per_mtok: 2, output_per_mtok: 2 }]\n`)).toEqual([
      'models[0].price[1].effective_from: required on every version but the first',
    ]);
    expect(
      problemsOf(`${base}models:\n  - name: a\n    provider: openai\n    price:\n      - { effective_from: "2026-05-01", input_per_mtok: 1, output_per_mtok: 1 }\n      - { effective_from: "2026-04-01", input_per_mtok: 2, output_per_mtok: 2 }\n`),
    ).toEqual(['models[0].price[1].effective_from: versions must be in increasing effective_from order']);
    expect(problemsOf(`${base}models:\n  - { name: a, provider: openai, price: { input_per_mtok: -1, output_per_mtok: 1 } }\n`)[0]).toMatch(/^models\[0\]\.price/);
    expect(problemsOf(`${base}models:\n  - { name: a, provider: openai, price: { input_per_mtok: 1, output_per_mtok: 1, effective_from: "soon" } }\n`)[0]).toMatch(/^models\[0\]\.price/);
    expect(problemsOf(`${base}pricing:\n  prices:\n    - { provider: opena1, model: gpt-4o, price: { input_per_mtok: 1, output_per_mtok: 1 } }\n`)).toEqual([
      'pricing.prices[0].provider: unknown provider "opena1" (known: "openai")',
    ]);
  });
});
