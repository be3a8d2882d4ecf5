import type { ServiceTier } from '../spec/usage.js';

/**
 * The price model every other layer sees. It is deliberately smaller than the bundled price data: only the token
 * kinds that TokenUsage meters (src/spec/usage.ts) have a price here, so a price can never silently apply to a
 * kind the ledger does not record.
 */

/**
 * Prices in USD per million tokens. Optional kinds fall back when absent, exactly as the bundled data means them:
 * cache read -> input; cache write 5m -> input; cache write 1h -> cache write 5m -> input; reasoning -> output.
 */
export interface TokenPrices {
  inputPerMtok: number;
  outputPerMtok: number;
  cacheReadPerMtok?: number;
  cacheWrite5mPerMtok?: number;
  cacheWrite1hPerMtok?: number;
  /** Price of the reasoning part of the output, for the few models that bill it differently from other output. */
  reasoningPerMtok?: number;
  /** Modality prices for the modality subsets of TokenUsage; each falls back to the price of its kind. */
  inputAudioPerMtok?: number;
  inputImagePerMtok?: number;
  /** Falls back to the input audio price (no discount, as genai-prices bills it), else the cache-read price. */
  cacheReadAudioPerMtok?: number;
  outputAudioPerMtok?: number;
  outputImagePerMtok?: number;
}

/**
 * A context-size price band. Like genai-prices (`a > tier.start` in its tier logic), a tier applies when the
 * request's total input tokens (uncached + cache read + cache writes) are strictly above `aboveInputTokens`.
 */
export interface PriceTier {
  /** Applies when total input tokens of the request exceed this. */
  aboveInputTokens: number;
  prices: TokenPrices;
}

/** Prices by context size: base prices, and the bands above prompt-size thresholds. */
export interface PriceSchedule {
  base: TokenPrices;
  /** Sorted by aboveInputTokens ascending; each tier carries the complete price set for its band. */
  tiers: PriceTier[];
}

export type PricedServiceTier = Exclude<ServiceTier, 'standard'>;

/** The price schedule of a non-standard service tier, and where it comes from. */
export interface ServiceTierPrices extends PriceSchedule {
  /** e.g. 'OpenAI Batch API: 50% of standard (https://platform.openai.com/docs/guides/batch)' or 'config'. */
  source: string;
}

export interface PriceEntry extends PriceSchedule {
  /**
   * Where the price came from, stored on ledger rows: 'genai-prices:anthropic/claude-sonnet-4-5[@<condition>]',
   * 'correction:<family>/<model>[@<date>]' or 'config:models.<name>[@<date>]'.
   */
  ref: string;
  source: 'bundled' | 'correction' | 'config';
  /** Price-catalog provider id (genai-prices provider id, or the configured family). */
  provider: string;
  /** Canonical model id in the catalog (a date-suffixed upstream id resolves to its family's id). */
  model: string;
  /** Epoch ms from which this entry is in force (a dated price version); null when it has no start. */
  effectiveFrom: number | null;
  /** Fixed fee per request in USD (0 for almost every model). */
  requestUsd: number;
  /**
   * Prices of the batch / flex / priority tiers the model has. A call billed at a tier the entry has no price for
   * is unpriced (never silently priced at standard).
   */
  serviceTiers: Partial<Record<PricedServiceTier, ServiceTierPrices>>;
}

/** Cost of one call by billing kind, in USD, each component rounded to 1e-12. */
export interface CostBreakdown {
  inputUsd: number;
  cacheReadUsd: number;
  /** 5-minute and 1-hour cache writes together. */
  cacheWriteUsd: number;
  /** All output, reasoning included. */
  outputUsd: number;
  /** Fixed per-request fee. */
  requestUsd: number;
  totalUsd: number;
}

export interface PriceCatalog {
  /**
   * providerFamily: 'openai' | 'anthropic' | 'google' (alias 'gemini') | another genai-prices provider id;
   * model: the upstream model id. Returns null when unknown: an unpriced call is never $0.
   * `at` (epoch ms, default now) picks the dated version in force then. Results are memoised per (family, model),
   * so this is a map lookup and a few comparisons on the hot path.
   */
  lookup(input: { providerFamily: string; model: string; at?: number }): PriceEntry | null;
  /** The entry a ledger row's price_ref names (also for versions no longer in force); null when unknown. */
  byRef(ref: string): PriceEntry | null;
  /** Every dated version for (family, model), oldest first, overrides and bundled: for `jevons prices`. */
  versions(input: { providerFamily: string; model: string }): PriceEntry[];
  /** Ids of the non-deprecated models the bundled data prices for a provider family (for model listings). */
  knownModels(providerFamily: string): string[];
}

/** One dated version of a configured price. */
export interface PriceVersion extends PriceSchedule {
  /** Epoch ms; null = in force from the beginning (only the first version). */
  effectiveFrom: number | null;
  requestUsd: number;
  /** Tier prices: a factor of this version's standard schedule, or a complete schedule. */
  serviceTiers: Partial<Record<PricedServiceTier, { factor: number } | PriceSchedule>>;
}

/**
 * A price set from configuration; it wins over the bundled data for the same model from its first version's
 * effective date (before it, the bundled price applies).
 */
export interface PriceOverride {
  /** Upstream model id the price applies to (matched case-insensitively). */
  model: string;
  /** Restricts the override to one provider family; absent = any family. */
  providerFamily?: string;
  /** Where it is configured, used in the ref: `config:<refPath>[@<date>]`, e.g. `models.my-model`. */
  refPath: string;
  /** config (jevons.yaml, the default) or correction (src/pricing/price-corrections.ts: a bundled price fixed here). */
  origin?: 'config' | 'correction';
  /** In increasing effectiveFrom order. */
  versions: PriceVersion[];
}
