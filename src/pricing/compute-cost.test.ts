import { describe, expect, it } from 'vitest';
import { emptyUsage, type TokenUsage } from '../spec/usage.js';
import { computeCost, pricesFor, roundUsd } from './compute-cost.js';
import type { PriceEntry, TokenPrices } from './price-types.js';

const entry = (base: TokenPrices, tiers: PriceEntry['tiers'] = []): PriceEntry => ({
  ref: 'config:models.test',
  source: 'config',
  provider: 'test',
  model: 'test',
  effectiveFrom: null,
  requestUsd: 0,
  base,
  tiers,
  serviceTiers: {},
});
const cost = (parts: TokenUsage, priced: PriceEntry) => {
  const result = computeCost(parts, priced);
  if (result === null) throw new Error('unexpectedly unpriced');
  return result;
};
const usage = (parts: Partial<TokenUsage>): TokenUsage => ({ ...emptyUsage(), ...parts });

describe('computeCost', () => {
  it('prices every kind at its own price', () => {
    const total = computeCost(
      usage({ inputTokens: 1_000, cacheReadTokens: 2_000, cacheWrite5mTokens: 3_000, cacheWrite1hTokens: 4_000, outputTokens: 500 }),
      entry({ inputPerMtok: 3, outputPerMtok: 15, cacheReadPerMtok: 0.3, cacheWrite5mPerMtok: 3.75, cacheWrite1hPerMtok: 6 }),
    );
    // 1000*3 + 2000*0.3 + (3000*3.75 + 4000*6) + 500*15, per million.
    expect(total).toEqual({ inputUsd: 0.003, cacheReadUsd: 0.0006, cacheWriteUsd: 0.03525, outputUsd: 0.0075, requestUsd: 0, totalUsd: 0.04635 });
  });

  it('falls back: cache read -> input, 5m write -> input, 1h write -> 5m write -> input', () => {
    const all = usage({ cacheReadTokens: 1_000_000, cacheWrite5mTokens: 1_000_000, cacheWrite1hTokens: 1_000_000 });
    expect(computeCost(all, entry({ inputPerMtok: 2, outputPerMtok: 8 }))).toMatchObject({ cacheReadUsd: 2, cacheWriteUsd: 4, totalUsd: 6 });
    expect(computeCost(all, entry({ inputPerMtok: 2, outputPerMtok: 8, cacheWrite5mPerMtok: 2.5 }))).toMatchObject({ cacheWriteUsd: 5 });
    expect(computeCost(all, entry({ inputPerMtok: 2, outputPerMtok: 8, cacheWrite5mPerMtok: 2.5, cacheWrite1hPerMtok: 4 }))).toMatchObject({ cacheWriteUsd: 6.5 });
  });

  it('bills reasoning inside output, at the reasoning price only when the model has one', () => {
    const thinking = usage({ outputTokens: 1_000, reasoningTokens: 800 });
    expect(cost(thinking, entry({ inputPerMtok: 1, outputPerMtok: 10 })).outputUsd).toBe(0.01);
    expect(cost(thinking, entry({ inputPerMtok: 1, outputPerMtok: 10, reasoningPerMtok: 5 })).outputUsd).toBe(0.006);
  });

  it('chooses the tier strictly above its threshold, by total input including cache tokens', () => {
    const tiered = entry({ inputPerMtok: 3, outputPerMtok: 15 }, [
      { aboveInputTokens: 200_000, prices: { inputPerMtok: 6, outputPerMtok: 22.5 } },
      { aboveInputTokens: 500_000, prices: { inputPerMtok: 9, outputPerMtok: 30 } },
    ]);
    expect(pricesFor(tiered, usage({ inputTokens: 200_000 })).inputPerMtok).toBe(3);
    expect(pricesFor(tiered, usage({ inputTokens: 100_000, cacheReadTokens: 100_001 })).inputPerMtok).toBe(6);
    expect(pricesFor(tiered, usage({ inputTokens: 500_001 })).inputPerMtok).toBe(9);
  });

  it('rounds each component to 1e-12 and sums the rounded parts', () => {
    const small = computeCost(usage({ inputTokens: 1, outputTokens: 2 }), entry({ inputPerMtok: 0.1, outputPerMtok: 0.1 }));
    expect(small).toEqual({ inputUsd: 1e-7, cacheReadUsd: 0, cacheWriteUsd: 0, outputUsd: 2e-7, requestUsd: 0, totalUsd: 3e-7 });
    expect(roundUsd(0.1 + 0.2)).toBe(0.3);
    expect(cost(emptyUsage(), entry({ inputPerMtok: 1, outputPerMtok: 1 })).totalUsd).toBe(0);
  });

  it('prices audio and image parts at their modality prices, the rest of the kind at its own price', () => {
    const prices = entry({ inputPerMtok: 2.5, outputPerMtok: 10, inputAudioPerMtok: 40, outputAudioPerMtok: 80, outputImagePerMtok: 30, cacheReadPerMtok: 1.25, cacheReadAudioPerMtok: 2.5 });
    const billed = cost(usage({ inputTokens: 1_000, inputAudioTokens: 400, cacheReadTokens: 100, cacheReadAudioTokens: 50, outputTokens: 600, outputAudioTokens: 200, outputImageTokens: 100, reasoningTokens: 100 }), prices);
    // input: 600 text x 2.5 + 400 audio x 40; cache: 50 x 1.25 + 50 audio x 2.5; output: 200 plain + 100 reasoning x 10, 200 audio x 80, 100 image x 30.
    expect(billed).toMatchObject({ inputUsd: 0.0175, cacheReadUsd: 0.0001875, outputUsd: 0.022 });
    // Without modality prices the parts fall back to the kind's price.
    expect(cost(usage({ inputTokens: 1_000, inputAudioTokens: 400 }), entry({ inputPerMtok: 2.5, outputPerMtok: 10 })).inputUsd).toBe(0.0025);
    // A subset larger than its kind is clamped, never priced twice.
    expect(cost(usage({ inputTokens: 100, inputAudioTokens: 400 }), prices).inputUsd).toBe(0.004);
  });

  it('adds the per-request fee to the total', () => {
    expect(cost(usage({ inputTokens: 1_000_000 }), { ...entry({ inputPerMtok: 1, outputPerMtok: 1 }), requestUsd: 0.005 })).toMatchObject({ inputUsd: 1, requestUsd: 0.005, totalUsd: 1.005 });
  });

  it('bills a service tier at its schedule, and is unpriced for a tier the entry has no price for', () => {
    const priced: PriceEntry = { ...entry({ inputPerMtok: 2, outputPerMtok: 8 }), serviceTiers: { batch: { base: { inputPerMtok: 1, outputPerMtok: 4 }, tiers: [], source: 'test' } } };
    expect(cost(usage({ inputTokens: 1_000_000, serviceTier: 'batch' }), priced).totalUsd).toBe(1);
    expect(cost(usage({ inputTokens: 1_000_000, serviceTier: 'standard' }), priced).totalUsd).toBe(2);
    expect(computeCost(usage({ inputTokens: 1_000_000, serviceTier: 'priority' }), priced)).toBeNull();
  });
});
