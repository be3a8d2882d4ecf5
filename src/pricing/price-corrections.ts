/**
 * Bundled prices corrected here: where @pydantic/genai-prices' data disagrees with the provider's published
 * pricing page, the published price wins. Each correction cites the page and the date it was read; a price in
 * jevons.yaml for the same model still wins over a correction. Refs are `correction:<family>/<model>[@<date>]`.
 */
import type { PriceOverride } from './price-types.js';

export const priceCorrections: readonly PriceOverride[] = [];
