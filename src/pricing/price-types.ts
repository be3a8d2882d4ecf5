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

export interface PriceEntry {
  /** Where the price came from: 'genai-prices:anthropic/claude-sonnet-4-5' or 'config:models.<name>'. Stored on ledger rows. */
  ref: string;
  source: 'bundled' | 'config';
  /** Price-catalog provider id (genai-prices provider id, or the configured family). */
  provider: string;
  /** Canonical model id in the catalog (a date-suffixed upstream id resolves to its family's id). */
  model: string;
  base: TokenPrices;
  /** Sorted by aboveInputTokens ascending; each tier carries the complete price set for its band. */
  tiers: PriceTier[];
}

/** Cost of one call by billing kind, in USD, each component rounded to 1e-12. */
export interface CostBreakdown {
  inputUsd: number;
  cacheReadUsd: number;
  /** 5-minute and 1-hour cache writes together. */
  cacheWriteUsd: number;
  /** All output, reasoning included. */
  outputUsd: number;
  totalUsd: number;
}

export interface PriceCatalog {
  /**
   * providerFamily: 'openai' | 'anthropic' | 'google' (alias 'gemini') | another genai-prices provider id;
   * model: the upstream model id. Returns null when unknown: an unpriced call is never $0.
   * Results are memoised per (family, model), so this is a map lookup on the hot path.
   */
  lookup(input: { providerFamily: string; model: string }): PriceEntry | null;
  /** Ids of the non-deprecated models the bundled data prices for a provider family (for model listings). */
  knownModels(providerFamily: string): string[];
}

/** A price set from configuration; it wins over the bundled data for the same model. */
export interface PriceOverride {
  /** Upstream model id the price applies to (matched case-insensitively). */
  model: string;
  /** Restricts the override to one provider family; absent = any family. */
  providerFamily?: string;
  /** Name used in the ref (`config:models.<name>`); defaults to `model`. */
  name?: string;
  prices: TokenPrices;
}
