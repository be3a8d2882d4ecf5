/** Price catalog (bundled genai-prices data + config overrides) and the exact cost of a usage record. */
export type { CostBreakdown, PriceCatalog, PriceEntry, PriceOverride, PriceTier, TokenPrices } from './price-types.js';
export { computeCost, pricesFor, roundUsd } from './compute-cost.js';
export { createPriceCatalog, normalizeFamily, type PriceCatalogOptions } from './price-catalog.js';
