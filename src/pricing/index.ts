/** Price catalog (bundled genai-prices data + config overrides) and the exact cost of a usage record. */
export type { CostBreakdown, PriceCatalog, PricedServiceTier, PriceEntry, PriceOverride, PriceSchedule, PriceTier, PriceVersion, ServiceTierPrices, TokenPrices } from './price-types.js';
export { computeCost, priceUsage, pricesFor, roundUsd, scheduleFor, usdFor, type PricedUsage } from './compute-cost.js';
export { createPriceCatalog, normalizeFamily, type PriceCatalogOptions } from './price-catalog.js';
export { overridesFromConfig } from './config-prices.js';
