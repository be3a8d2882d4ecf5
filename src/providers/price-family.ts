import { createPriceCatalog, overridesFromConfig, type PriceCatalog } from '../pricing/index.js';
import type { JevonsConfig, ProviderConfig, ProviderType } from '../spec/config/config-schema.js';
import { compatiblePresets } from './openai-compatible/openai-compatible-quirks.js';

const typeFamilies: Record<Exclude<ProviderType, 'openai-compatible'>, string> = { openai: 'openai', anthropic: 'anthropic', gemini: 'google' };

/**
 * The price-catalog family (genai-prices provider id) of a configured provider: `price_family` when set, else its
 * type's family, else its preset's, else its own name.
 */
export function priceFamilyOf(provider: Pick<ProviderConfig, 'name' | 'type' | 'preset' | 'price_family'>): string {
  if (provider.price_family !== undefined) return provider.price_family;
  if (provider.type !== 'openai-compatible') return typeFamilies[provider.type];
  const preset = provider.preset === undefined ? undefined : compatiblePresets[provider.preset];
  return preset?.quirks.priceFamily ?? provider.name;
}

/** priceFamilyOf by configured provider name; undefined for a name not in the list. */
export function priceFamilies(providers: readonly ProviderConfig[]): (name: string) => string | undefined {
  const byName = new Map(providers.map((provider) => [provider.name, priceFamilyOf(provider)]));
  return (name) => byName.get(name);
}

/**
 * The price catalog of a validated config, as the gateway prices with it: bundled genai-prices data, the corrections
 * in src/pricing/price-corrections.ts, then `models[].price` and `pricing.prices[]`. The CLI uses the same one.
 */
export function priceCatalogFromConfig(config: Pick<JevonsConfig, 'providers' | 'models' | 'pricing'>, options: { now?: () => number } = {}): PriceCatalog {
  return createPriceCatalog({ overrides: overridesFromConfig({ config, priceFamilyOf: priceFamilies(config.providers) }), now: options.now });
}
