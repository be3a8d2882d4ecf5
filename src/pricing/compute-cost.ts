import { totalInputTokens, type TokenUsage } from '../spec/usage.js';
import type { CostBreakdown, PriceCatalog, PriceEntry, PriceSchedule, TokenPrices } from './price-types.js';

const TOKENS_PER_MTOK = 1_000_000;

/** Rounds to 1e-12 USD so that sums of float products do not leave noise such as 0.30000000000000004. */
export const roundUsd = (usd: number): number => Math.round(usd * 1e12) / 1e12;

/** USD of `tokens` at a per-million price (0 for no tokens, whatever the price). */
export const usdFor = (tokens: number, perMtok: number): number => (tokens === 0 ? 0 : (tokens * perMtok) / TOKENS_PER_MTOK);

/**
 * The price set in force for a request: the tier with the largest threshold strictly below the request's total
 * input tokens, else the base prices. Same rule as genai-prices (`input_tokens > tier.start`), where
 * input_tokens is the whole prompt including cache reads and writes.
 */
export function pricesFor(schedule: PriceSchedule, usage: TokenUsage): TokenPrices {
  const total = totalInputTokens(usage);
  let prices = schedule.base;
  for (const tier of schedule.tiers) {
    if (total > tier.aboveInputTokens) prices = tier.prices;
  }
  return prices;
}

/** The schedule a usage record is billed at: the standard one, or its service tier's; null when the entry has none. */
export function scheduleFor(entry: PriceEntry, usage: TokenUsage): PriceSchedule | null {
  const tier = usage.serviceTier;
  if (tier === undefined || tier === 'standard') return entry;
  return entry.serviceTiers[tier] ?? null;
}

/** A subset of `total` priced at its own rate, the remainder at the kind's rate. */
const split = (total: number, parts: ReadonlyArray<readonly [number | undefined, number | undefined]>, rate: number): number => {
  let rest = total;
  let usd = 0;
  for (const [tokens, partRate] of parts) {
    const count = Math.min(tokens ?? 0, rest);
    if (count <= 0) continue;
    rest -= count;
    usd += usdFor(count, partRate ?? rate);
  }
  return usd + usdFor(rest, rate);
};

/**
 * Exact cost of a metered call, or null when it was billed at a service tier the entry has no price for (never
 * silently priced at standard). Each token kind is priced once (TokenUsage kinds are disjoint): uncached input at
 * the input price (its audio / image parts at their modality prices), cache reads at the cache-read price (fallback
 * input; audio reads at the audio cache-read price, else the audio input price, as genai-prices bills them), 5-minute writes at the 5m price (fallback input), 1-hour
 * writes at the 1h price (fallback 5m, then input), output at the output price with its reasoning, audio and image
 * parts at their own prices when the model has them; plus the per-request fee. Components are rounded to 1e-12 USD
 * and the total is the rounded sum of the rounded components, so the parts always add up.
 */
export function computeCost(usage: TokenUsage, entry: PriceEntry): CostBreakdown | null {
  const schedule = scheduleFor(entry, usage);
  if (schedule === null) return null;
  const prices = pricesFor(schedule, usage);
  const read = prices.cacheReadPerMtok ?? prices.inputPerMtok;
  const write5m = prices.cacheWrite5mPerMtok ?? prices.inputPerMtok;
  const write1h = prices.cacheWrite1hPerMtok ?? write5m;
  const output = prices.outputPerMtok;
  const inputUsd = roundUsd(split(usage.inputTokens, [[usage.inputAudioTokens, prices.inputAudioPerMtok], [usage.inputImageTokens, prices.inputImagePerMtok]], prices.inputPerMtok));
  const cacheReadUsd = roundUsd(split(usage.cacheReadTokens, [[usage.cacheReadAudioTokens, prices.cacheReadAudioPerMtok ?? prices.inputAudioPerMtok]], read));
  const cacheWriteUsd = roundUsd(usdFor(usage.cacheWrite5mTokens, write5m) + usdFor(usage.cacheWrite1hTokens, write1h));
  const outputParts = [[usage.reasoningTokens, prices.reasoningPerMtok], [usage.outputAudioTokens, prices.outputAudioPerMtok], [usage.outputImageTokens, prices.outputImagePerMtok]] as const;
  const outputUsd = roundUsd(split(usage.outputTokens, outputParts, output));
  const requestUsd = roundUsd(entry.requestUsd);
  return { inputUsd, cacheReadUsd, cacheWriteUsd, outputUsd, requestUsd, totalUsd: roundUsd(inputUsd + cacheReadUsd + cacheWriteUsd + outputUsd + requestUsd) };
}

export type PricedUsage =
  | { kind: 'priced'; cost: CostBreakdown; entry: PriceEntry }
  /** `entry` is set when a model has a price but none for the service tier the usage was billed at. */
  | { kind: 'unpriced'; entry: PriceEntry | null };

/**
 * The gateway's pricing rule: the first of `models` the catalog knows (the served snapshot id, then the id asked for),
 * at the price in force at `at`; unpriced when none is known, or when the first known one has no price for the usage's
 * service tier (never priced at another tier, never $0). The gateway's pricer and `jevons reprice` both use it.
 */
export function priceUsage(options: { catalog: PriceCatalog; providerFamily: string; models: readonly string[]; usage: TokenUsage; at: number }): PricedUsage {
  for (const model of options.models) {
    const entry = options.catalog.lookup({ providerFamily: options.providerFamily, model, at: options.at });
    if (entry === null) continue;
    const cost = computeCost(options.usage, entry);
    return cost === null ? { kind: 'unpriced', entry } : { kind: 'priced', cost, entry };
  }
  return { kind: 'unpriced', entry: null };
}

