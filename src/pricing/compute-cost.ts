import { totalInputTokens, type TokenUsage } from '../spec/usage.js';
import type { CostBreakdown, PriceEntry, TokenPrices } from './price-types.js';

const TOKENS_PER_MTOK = 1_000_000;

/** Rounds to 1e-12 USD so that sums of float products do not leave noise such as 0.30000000000000004. */
export const roundUsd = (usd: number): number => Math.round(usd * 1e12) / 1e12;

const usdFor = (tokens: number, perMtok: number): number => (tokens === 0 ? 0 : (tokens * perMtok) / TOKENS_PER_MTOK);

/**
 * The price set in force for a request: the tier with the largest threshold strictly below the request's total
 * input tokens, else the base prices. Same rule as genai-prices (`input_tokens > tier.start`), where
 * input_tokens is the whole prompt including cache reads and writes.
 */
export function pricesFor(entry: PriceEntry, usage: TokenUsage): TokenPrices {
  const total = totalInputTokens(usage);
  let prices = entry.base;
  for (const tier of entry.tiers) {
    if (total > tier.aboveInputTokens) prices = tier.prices;
  }
  return prices;
}

/**
 * Exact cost of a metered call. Each token kind is priced once (TokenUsage kinds are disjoint): uncached input at
 * the input price, cache reads at the cache-read price (fallback input), 5-minute writes at the 5m price
 * (fallback input), 1-hour writes at the 1h price (fallback 5m, then input), output at the output price with
 * reasoning (already inside output) at the reasoning price when the model has one. Components are rounded to
 * 1e-12 USD and the total is the rounded sum of the rounded components, so the parts always add up.
 */
export function computeCost(usage: TokenUsage, entry: PriceEntry): CostBreakdown {
  const prices = pricesFor(entry, usage);
  const write5m = prices.cacheWrite5mPerMtok ?? prices.inputPerMtok;
  const write1h = prices.cacheWrite1hPerMtok ?? write5m;
  const reasoning = Math.min(usage.reasoningTokens, usage.outputTokens);
  const reasoningPrice = prices.reasoningPerMtok ?? prices.outputPerMtok;
  const inputUsd = roundUsd(usdFor(usage.inputTokens, prices.inputPerMtok));
  const cacheReadUsd = roundUsd(usdFor(usage.cacheReadTokens, prices.cacheReadPerMtok ?? prices.inputPerMtok));
  const cacheWriteUsd = roundUsd(usdFor(usage.cacheWrite5mTokens, write5m) + usdFor(usage.cacheWrite1hTokens, write1h));
  const outputUsd = roundUsd(usdFor(usage.outputTokens - reasoning, prices.outputPerMtok) + usdFor(reasoning, reasoningPrice));
  return { inputUsd, cacheReadUsd, cacheWriteUsd, outputUsd, totalUsd: roundUsd(inputUsd + cacheReadUsd + cacheWriteUsd + outputUsd) };
}
