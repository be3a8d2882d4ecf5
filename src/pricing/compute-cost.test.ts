import { describe, expect, it } from 'vitest';
import { emptyUsage, type TokenUsage } from '../spec/usage.js';
import { computeCost, pricesFor, roundUsd } from './compute-cost.js';
import type { PriceEntry, TokenPrices } from './price-types.js';

const entry = (base: TokenPrices, tiers: PriceEntry['tiers'] = []): PriceEntry => ({
  ref: 'config:models.test',
  source: 'config',
  provider: 'test',
  model: 'test',
  base,
  tiers,
});
const usage = (parts: Partial<TokenUsage>): TokenUsage => ({ ...emptyUsage(), ...parts });

describe('computeCost', () => {
  it('prices every kind at its own price', () => {
    const cost = computeCost(
      usage({ inputTokens: 1_000, cacheReadTokens: 2_000, cacheWrite5mTokens: 3_000, cacheWrite1hTokens: 4_000, outputTokens: 500 }),
      entry({ inputPerMtok: 3, outputPerMtok: 15, cacheReadPerMtok: 0.3, cacheWrite5mPerMtok: 3.75, cacheWrite1hPerMtok: 6 }),
    );
    // 1000*3 + 2000*0.3 + (3000*3.75 + 4000*6) + 500*15, per million.
    expect(cost).toEqual({ inputUsd: 0.003, cacheReadUsd: 0.0006, cacheWriteUsd: 0.03525, outputUsd: 0.0075, totalUsd: 0.04635 });
  });

  it('falls back: cache read -> input, 5m write -> input, 1h write -> 5m write -> input', () => {
    const all = usage({ cacheReadTokens: 1_000_000, cacheWrite5mTokens: 1_000_000, cacheWrite1hTokens: 1_000_000 });
    expect(computeCost(all, entry({ inputPerMtok: 2, outputPerMtok: 8 }))).toMatchObject({ cacheReadUsd: 2, cacheWriteUsd: 4, totalUsd: 6 });
    expect(computeCost(all, entry({ inputPerMtok: 2, outputPerMtok: 8, cacheWrite5mPerMtok: 2.5 }))).toMatchObject({ cacheWriteUsd: 5 });
    expect(computeCost(all, entry({ inputPerMtok: 2, outputPerMtok: 8, cacheWrite5mPerMtok: 2.5, cacheWrite1hPerMtok: 4 }))).toMatchObject({ cacheWriteUsd: 6.5 });
  });

  it('bills reasoning inside output, at the reasoning price only when the model has one', () => {
    const thinking = usage({ outputTokens: 1_000, reasoningTokens: 800 });
    expect(computeCost(thinking, entry({ inputPerMtok: 1, outputPerMtok: 10 })).outputUsd).toBe(0.01);
    expect(computeCost(thinking, entry({ inputPerMtok: 1, outputPerMtok: 10, reasoningPerMtok: 5 })).outputUsd).toBe(0.006);
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
    const cost = computeCost(usage({ inputTokens: 1, outputTokens: 2 }), entry({ inputPerMtok: 0.1, outputPerMtok: 0.1 }));
    expect(cost).toEqual({ inputUsd: 1e-7, cacheReadUsd: 0, cacheWriteUsd: 0, outputUsd: 2e-7, totalUsd: 3e-7 });
    expect(roundUsd(0.1 + 0.2)).toBe(0.3);
    expect(computeCost(emptyUsage(), entry({ inputPerMtok: 1, outputPerMtok: 1 })).totalUsd).toBe(0);
  });
});
