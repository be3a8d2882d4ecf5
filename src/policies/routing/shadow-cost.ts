/**
 * Shadow mode's cost on actual usage (docs/routing.md): what an attempt's usage, as served, would have cost at the
 * model the router would have chosen; and, served as decided, at routing's baseline (the model the call would have
 * used without routing: baseline_cost_usd). Same pricing rule as the gateway's own cost (`priceUsage`: the catalog with
 * jevons.yaml's prices and corrections, the price in force at the attempt's start, context tiers, service tiers), but
 * silent: a would-be or baseline model without a price is null here, and is not counted or logged as an unpriced request
 * (no request went to it).
 */
import type { RouteTarget } from '../../pipeline/call.js';
import { priceUsage, type PriceCatalog } from '../../pricing/index.js';
import type { TokenUsage } from '../../spec/usage.js';

export interface ShadowPricerOptions {
  /** The gateway's price catalog (priceCatalogFromConfig: bundled prices, corrections, config overrides). */
  catalog: PriceCatalog;
  /** The price family of a configured provider (its runtime's priceFamily); undefined for an unknown provider. */
  priceFamilyOf: (provider: string) => string | undefined;
}

/** USD of `usage` served by `target` at `at` (epoch ms); null when the provider is unknown or the model unpriced. */
export function createShadowPricer(options: ShadowPricerOptions): (input: { target: RouteTarget; usage: TokenUsage; at: number }) => number | null {
  return ({ target, usage, at }) => {
    const family = options.priceFamilyOf(target.provider);
    if (family === undefined) return null;
    const priced = priceUsage({ catalog: options.catalog, providerFamily: family, models: [target.upstreamModel], usage, at });
    return priced.kind === 'priced' ? priced.cost.totalUsd : null;
  };
}
