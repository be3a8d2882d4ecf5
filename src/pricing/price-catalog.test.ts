import * as genaiPrices from '@pydantic/genai-prices';
import type * as GenaiPrices from '@pydantic/genai-prices';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { emptyUsage, type TokenUsage } from '../spec/usage.js';
import { computeCost } from './compute-cost.js';
import { createPriceCatalog } from './price-catalog.js';
import type { CostBreakdown, PriceEntry, PriceVersion, TokenPrices } from './price-types.js';

vi.mock('@pydantic/genai-prices', async (importOriginal) => {
  const actual = await importOriginal<typeof GenaiPrices>();
  return { ...actual, calcPrice: vi.fn(actual.calcPrice) };
});

const calcPrice = vi.mocked(genaiPrices.calcPrice);
beforeEach(() => {
  calcPrice.mockClear();
});

const usage = (parts: Partial<TokenUsage>): TokenUsage => ({ ...emptyUsage(), ...parts });
const catalog = createPriceCatalog({});
const version = (base: TokenPrices, effectiveFrom: number | null = null): PriceVersion => ({ effectiveFrom, requestUsd: 0, base, tiers: [], serviceTiers: {} });
const costOf = (parts: TokenUsage, entry: PriceEntry): CostBreakdown => {
  const result = computeCost(parts, entry);
  if (result === null) throw new Error('unexpectedly unpriced');
  return result;
};
const lookup = (providerFamily: string, model: string): PriceEntry => {
  const entry = catalog.lookup({ providerFamily, model });
  if (entry === null) throw new Error(`no price for ${providerFamily}/${model}`);
  return entry;
};

/**
 * genai-prices' own total for the same call. Its `input_tokens` is the WHOLE prompt (uncached + cache read + cache
 * writes): it subtracts the more specific cache kinds from it (`ne()` leaf computation in its dist), and its
 * `cache_write_tokens` includes the 1h writes. Our TokenUsage kinds are disjoint, hence the sums here.
 */
function genaiTotal(u: TokenUsage, model: string, providerId: string): number | undefined {
  const result = calcPrice(
    {
      input_tokens: u.inputTokens + u.cacheReadTokens + u.cacheWrite5mTokens + u.cacheWrite1hTokens,
      cache_read_tokens: u.cacheReadTokens,
      cache_write_tokens: u.cacheWrite5mTokens + u.cacheWrite1hTokens,
      cache_write_1h_tokens: u.cacheWrite1hTokens,
      output_tokens: u.outputTokens,
    },
    model,
    { providerId },
  );
  return result?.total_price;
}

describe('bundled prices and computeCost', () => {
  it('OpenAI gpt-4o with cached prompt tokens', () => {
    const entry = lookup('openai', 'gpt-4o');
    expect(entry).toMatchObject({ ref: 'genai-prices:openai/gpt-4o', source: 'bundled', base: { inputPerMtok: 2.5, cacheReadPerMtok: 1.25, outputPerMtok: 10 } });
    // prompt_tokens 2000 of which cached_tokens 1536 -> 464 uncached; 300 completion tokens.
    const u = usage({ inputTokens: 464, cacheReadTokens: 1_536, outputTokens: 300 });
    // 464*2.5 = 1160, 1536*1.25 = 1920, 300*10 = 3000 (per 1e6 tokens).
    expect(costOf(u, entry)).toEqual({ inputUsd: 0.00116, cacheReadUsd: 0.00192, cacheWriteUsd: 0, outputUsd: 0.003, requestUsd: 0, totalUsd: 0.00608 });
    expect(genaiTotal(u, 'gpt-4o', 'openai')).toBeCloseTo(0.00608, 12);
  });

  it('Anthropic sonnet with cache read, 5m and 1h cache writes', () => {
    const entry = lookup('anthropic', 'claude-sonnet-4-5');
    expect(entry.base).toEqual({ inputPerMtok: 3, outputPerMtok: 15, cacheReadPerMtok: 0.3, cacheWrite5mPerMtok: 3.75, cacheWrite1hPerMtok: 6 });
    const u = usage({ inputTokens: 1_000, cacheReadTokens: 20_000, cacheWrite5mTokens: 3_000, cacheWrite1hTokens: 2_000, outputTokens: 500 });
    // 1000*3 = 3000; 20000*0.3 = 6000; 3000*3.75 + 2000*6 = 23250; 500*15 = 7500.
    expect(costOf(u, entry)).toEqual({ inputUsd: 0.003, cacheReadUsd: 0.006, cacheWriteUsd: 0.02325, outputUsd: 0.0075, requestUsd: 0, totalUsd: 0.03975 });
    expect(genaiTotal(u, 'claude-sonnet-4-5', 'anthropic')).toBeCloseTo(0.03975, 12);
  });

  it('a request above 200k input tokens uses the long-context tier', () => {
    const entry = lookup('anthropic', 'claude-sonnet-4-5');
    expect(entry.tiers).toEqual([
      { aboveInputTokens: 200_000, prices: { inputPerMtok: 6, outputPerMtok: 22.5, cacheReadPerMtok: 0.6, cacheWrite5mPerMtok: 7.5, cacheWrite1hPerMtok: 12 } },
    ]);
    const over = usage({ inputTokens: 150_000, cacheReadTokens: 60_000, outputTokens: 1_000 });
    // 150000*6 = 900000; 60000*0.6 = 36000; 1000*22.5 = 22500.
    expect(costOf(over, entry)).toEqual({ inputUsd: 0.9, cacheReadUsd: 0.036, cacheWriteUsd: 0, outputUsd: 0.0225, requestUsd: 0, totalUsd: 0.9585 });
    expect(genaiTotal(over, 'claude-sonnet-4-5', 'anthropic')).toBeCloseTo(0.9585, 12);
    // Exactly 200,000 is not above the threshold, for genai-prices as for us: base prices.
    const at = usage({ inputTokens: 200_000, outputTokens: 1_000 });
    expect(costOf(at, entry).totalUsd).toBe(0.615);
    expect(genaiTotal(at, 'claude-sonnet-4-5', 'anthropic')).toBeCloseTo(0.615, 12);
  });

  it('Gemini tiered pro and flash with thoughts (thoughts are output)', () => {
    const flash = lookup('gemini', 'gemini-2.5-flash');
    expect(flash).toMatchObject({ provider: 'google', ref: 'genai-prices:google/gemini-2.5-flash', base: { inputPerMtok: 0.3, cacheReadPerMtok: 0.03, outputPerMtok: 2.5 } });
    // promptTokenCount 10000 incl. cachedContentTokenCount 4000; candidates 200 + thoughts 800.
    const u = usage({ inputTokens: 6_000, cacheReadTokens: 4_000, outputTokens: 1_000, reasoningTokens: 800 });
    expect(costOf(u, flash)).toEqual({ inputUsd: 0.0018, cacheReadUsd: 0.00012, cacheWriteUsd: 0, outputUsd: 0.0025, requestUsd: 0, totalUsd: 0.00442 });
    expect(genaiTotal(u, 'gemini-2.5-flash', 'google')).toBeCloseTo(0.00442, 12);
    const pro = usage({ inputTokens: 200_000, cacheReadTokens: 50_000, outputTokens: 2_000 });
    expect(costOf(pro, lookup('google', 'gemini-2.5-pro')).totalUsd).toBe(0.5425);
    expect(genaiTotal(pro, 'gemini-2.5-pro', 'google')).toBeCloseTo(0.5425, 12);
  });
});

describe('lookup', () => {
  it('returns null for unknown models and unknown families (unpriced, never $0)', () => {
    expect(catalog.lookup({ providerFamily: 'openai', model: 'no-such-model-xyz' })).toBeNull();
    expect(catalog.lookup({ providerFamily: 'my-private-vllm', model: 'gpt-4o' })).toBeNull();
  });

  it('resolves date-suffixed ids as genai-prices matches them', () => {
    expect(lookup('openai', 'gpt-4o-2024-08-06')).toMatchObject({ model: 'gpt-4o', ref: 'genai-prices:openai/gpt-4o' });
    expect(lookup('anthropic', 'claude-sonnet-4-5-20250929')).toMatchObject({ model: 'claude-sonnet-4-5', ref: 'genai-prices:anthropic/claude-sonnet-4-5' });
  });

  it('uses the configured family for OpenAI-compatible hosts', () => {
    expect(lookup('groq', 'llama-3.3-70b-versatile')).toMatchObject({ provider: 'groq', base: { inputPerMtok: 0.59, outputPerMtok: 0.79 } });
  });

  it('a config override wins over the bundled price, a family-specific one over a generic one', () => {
    const withOverrides = createPriceCatalog({
      overrides: [
        { model: 'gpt-4o', refPath: 'models.gpt-4o', versions: [version({ inputPerMtok: 1, outputPerMtok: 2 })] },
        { model: 'GPT-4o', providerFamily: 'openai', refPath: 'models.negotiated-4o', versions: [version({ inputPerMtok: 2, outputPerMtok: 8 })] },
        { model: 'house-model', providerFamily: 'my-private-vllm', refPath: 'models.house-model', versions: [version({ inputPerMtok: 0.1, outputPerMtok: 0.2 })] },
      ],
    });
    expect(withOverrides.lookup({ providerFamily: 'openai', model: 'gpt-4o' })).toMatchObject({
      ref: 'config:models.negotiated-4o',
      source: 'config',
      provider: 'openai',
      model: 'GPT-4o',
      effectiveFrom: null,
      requestUsd: 0,
      base: { inputPerMtok: 2, outputPerMtok: 8 },
      tiers: [],
    });
    expect(withOverrides.lookup({ providerFamily: 'azure', model: 'gpt-4o' })).toMatchObject({ ref: 'config:models.gpt-4o', base: { inputPerMtok: 1 } });
    expect(withOverrides.lookup({ providerFamily: 'my-private-vllm', model: 'house-model' })).toMatchObject({ ref: 'config:models.house-model', provider: 'my-private-vllm' });
  });

  it('memoises per (family, model): genai-prices is consulted once', () => {
    const fresh = createPriceCatalog({});
    const first = fresh.lookup({ providerFamily: 'openai', model: 'gpt-4.1-mini' });
    for (let i = 0; i < 100; i += 1) expect(fresh.lookup({ providerFamily: 'openai', model: 'gpt-4.1-mini' })).toBe(first);
    fresh.lookup({ providerFamily: 'openai', model: 'not-a-model' });
    fresh.lookup({ providerFamily: 'openai', model: 'not-a-model' });
    expect(calcPrice).toHaveBeenCalledTimes(2);
  });
});

describe('conditional prices', () => {
  const at = (iso: string) => createPriceCatalog({ now: () => Date.parse(iso) });

  it('picks the start_date entry in force at the injected clock', () => {
    const before = at('2026-03-12T23:59:59Z').lookup({ providerFamily: 'anthropic', model: 'claude-opus-4-6' });
    const after = at('2026-03-13T00:00:00Z').lookup({ providerFamily: 'anthropic', model: 'claude-opus-4-6' });
    expect(before?.tiers).toHaveLength(1);
    expect(after).toMatchObject({ base: { inputPerMtok: 5, outputPerMtok: 25, cacheWrite1hPerMtok: 10 }, tiers: [] });
  });

  it('follows daily peak windows on every lookup, matching genai-prices', () => {
    let now = Date.parse('2026-09-01T02:00:00Z');
    const clocked = createPriceCatalog({ now: () => now });
    for (const iso of ['2026-09-01T02:00:00Z', '2026-09-01T12:00:00Z', '2026-09-01T06:00:00Z', '2026-08-01T12:00:00Z']) {
      now = Date.parse(iso);
      const entry = clocked.lookup({ providerFamily: 'deepseek', model: 'deepseek-v4-flash' });
      const expected = calcPrice({}, 'deepseek-v4-flash', { providerId: 'deepseek', timestamp: new Date(iso) })?.model_price.input_mtok;
      expect(entry?.base.inputPerMtok, iso).toBe(expected);
    }
  });
});

describe('knownModels', () => {
  it('lists the bundled, non-deprecated model ids of a family and nothing for an unknown one', () => {
    const catalog = createPriceCatalog({});
    const openai = catalog.knownModels('openai');
    expect(openai).toContain('gpt-4o-mini');
    expect(catalog.knownModels('gemini')).toContain('gemini-2.5-flash');
    expect(catalog.knownModels('no-such-family')).toEqual([]);
  });
});
