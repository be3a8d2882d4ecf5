/**
 * Prices from jevons.yaml (`models[].price`, `pricing.prices[]`) as catalog overrides: one dated version per
 * configured price, with its context tiers, service tiers and per-request fee.
 */
import type { JevonsConfig, PriceConfig, PriceVersionConfig } from '../spec/config/config-schema.js';
import type { PricedServiceTier, PriceOverride, PriceSchedule, PriceVersion, TokenPrices } from './price-types.js';

type TokenPriceConfig = Omit<PriceVersionConfig, 'request_usd' | 'context_tiers' | 'service_tiers' | 'effective_from'>;

function tokenPrices(config: TokenPriceConfig): TokenPrices {
  const prices: TokenPrices = { inputPerMtok: config.input_per_mtok, outputPerMtok: config.output_per_mtok };
  const optional: Array<[keyof TokenPrices, number | undefined]> = [
    ['cacheReadPerMtok', config.cache_read_per_mtok],
    ['cacheWrite5mPerMtok', config.cache_write_5m_per_mtok],
    ['cacheWrite1hPerMtok', config.cache_write_1h_per_mtok],
    ['reasoningPerMtok', config.reasoning_per_mtok],
    ['inputAudioPerMtok', config.input_audio_per_mtok],
    ['inputImagePerMtok', config.input_image_per_mtok],
    ['cacheReadAudioPerMtok', config.cache_read_audio_per_mtok],
    ['outputAudioPerMtok', config.output_audio_per_mtok],
    ['outputImagePerMtok', config.output_image_per_mtok],
  ];
  for (const [kind, value] of optional) if (value !== undefined) prices[kind] = value;
  return prices;
}

function version(config: PriceVersionConfig): PriceVersion {
  const tiers = (config.context_tiers ?? []).map((tier) => ({ aboveInputTokens: tier.above_input_tokens, prices: tokenPrices(tier) })).sort((a, b) => a.aboveInputTokens - b.aboveInputTokens);
  const serviceTiers: PriceVersion['serviceTiers'] = {};
  for (const [tier, price] of Object.entries(config.service_tiers ?? {}) as Array<[PricedServiceTier, NonNullable<PriceVersionConfig['service_tiers']>[PricedServiceTier]]>) {
    if (price === undefined) continue;
    serviceTiers[tier] = 'factor' in price ? { factor: price.factor } : ({ base: tokenPrices(price), tiers: [] } satisfies PriceSchedule);
  }
  return {
    effectiveFrom: config.effective_from === undefined ? null : Date.parse(config.effective_from),
    requestUsd: config.request_usd ?? 0,
    base: tokenPrices(config),
    tiers,
    serviceTiers,
  };
}

const versionsOf = (price: PriceConfig): PriceVersion[] => (Array.isArray(price) ? price : [price]).map(version);

/**
 * The configured prices as overrides. `priceFamilyOf` maps a configured provider name to its price-catalog family
 * (undefined for an unknown provider, whose entries are skipped: config validation reports those).
 */
export function overridesFromConfig(options: { config: Pick<JevonsConfig, 'models' | 'pricing'>; priceFamilyOf: (provider: string) => string | undefined }): PriceOverride[] {
  const overrides: PriceOverride[] = [];
  for (const model of options.config.models) {
    const family = options.priceFamilyOf(model.provider);
    if (model.price === undefined || family === undefined) continue;
    overrides.push({ refPath: `models.${model.name}`, model: model.model ?? model.name, providerFamily: family, versions: versionsOf(model.price) });
  }
  for (const entry of options.config.pricing.prices) {
    const family = options.priceFamilyOf(entry.provider);
    if (family === undefined) continue;
    overrides.push({ refPath: `pricing.prices.${entry.provider}/${entry.model}`, model: entry.model, providerFamily: family, versions: versionsOf(entry.price) });
  }
  return overrides;
}
