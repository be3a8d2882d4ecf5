/**
 * The price catalog: configured overrides first, then genai-prices' bundled data. Model matching is genai-prices'
 * own (`calcPrice` with the provider id): its match rules, its case folding, its fallback providers and its
 * date-suffix normalisation (`claude-sonnet-4-5-20250929` -> `claude-sonnet-4-5`, `gpt-4o-2024-08-06` -> `gpt-4o`),
 * so a model resolves here exactly when genai-prices would price it.
 */
import { calcPrice, findProvider, type ModelInfo, type Provider } from '@pydantic/genai-prices';
import { conditionInForce, priceOptionsOf, type ModelPriceOptions } from './genai-prices-entry.js';
import type { PriceCatalog, PriceEntry, PriceOverride } from './price-types.js';

/** Our provider-family names that differ from genai-prices provider ids. */
const familyAliases: Readonly<Record<string, string>> = { gemini: 'google' };

/** Lower-cased genai-prices provider id for a family name ('gemini' -> 'google'). */
export const normalizeFamily = (family: string): string => {
  const key = family.trim().toLowerCase();
  return familyAliases[key] ?? key;
};

/** Bounds the memo when callers send arbitrary model names; refilled on demand after a clear. */
const MAX_MEMO_ENTRIES = 10_000;

export interface PriceCatalogOptions {
  overrides?: ReadonlyArray<PriceOverride>;
  /** Clock for conditional prices (start dates, off-peak windows); epoch milliseconds. Defaults to Date.now. */
  now?: () => number;
}

function overrideEntry(override: PriceOverride, family: string): PriceEntry {
  return {
    ref: `config:models.${override.name ?? override.model}`,
    source: 'config',
    provider: override.providerFamily === undefined ? family : normalizeFamily(override.providerFamily),
    model: override.model,
    base: { ...override.prices },
    tiers: [],
  };
}

/** The provider whose model list holds `model`: the requested one, or one of its genai-prices fallbacks. */
function owningProviderId(provider: Provider, model: ModelInfo): string {
  if (provider.models.includes(model)) return provider.id;
  for (const id of provider.fallback_model_providers ?? []) {
    const fallback = findProvider({ providerId: id });
    if (fallback?.models.includes(model)) return fallback.id;
  }
  return provider.id;
}

/** genai-prices' match for (family, model), or null. calcPrice with empty usage only resolves; it costs nothing. */
function bundledOptions(family: string, model: string, at: Date): ModelPriceOptions {
  try {
    const result = calcPrice({}, model, { providerId: family, timestamp: at });
    if (result === null) return { kind: 'fixed', entry: null };
    return priceOptionsOf({ providerId: owningProviderId(result.provider, result.model), model: result.model });
  } catch {
    // Malformed data for one model must not take the gateway down: that model is unpriced instead.
    return { kind: 'fixed', entry: null };
  }
}

function entryAt(options: ModelPriceOptions, at: () => Date): PriceEntry | null {
  if (options.kind === 'fixed') return options.entry;
  return options.entries[conditionInForce(options.conditions, at())] ?? null;
}

/**
 * Builds the catalog. Overrides win over bundled prices; one with a providerFamily wins over one without.
 * Never calls genai-prices' `updatePrices`: bundled data only, no network.
 */
export function createPriceCatalog(options: PriceCatalogOptions): PriceCatalog {
  const now = options.now ?? Date.now;
  const overrides = new Map<string, PriceOverride>();
  for (const override of options.overrides ?? []) {
    const family = override.providerFamily === undefined ? '*' : normalizeFamily(override.providerFamily);
    overrides.set(`${family}\u0000${override.model.trim().toLowerCase()}`, override);
  }
  const memo = new Map<string, ModelPriceOptions>();
  const at = () => new Date(now());

  const resolve = (family: string, model: string): ModelPriceOptions => {
    const id = model.trim().toLowerCase();
    const override = overrides.get(`${family}\u0000${id}`) ?? overrides.get(`*\u0000${id}`);
    if (override) return { kind: 'fixed', entry: overrideEntry(override, family) };
    return bundledOptions(family, model, at());
  };

  return {
    lookup({ providerFamily, model }) {
      const family = normalizeFamily(providerFamily);
      const key = `${family}\u0000${model}`;
      let options = memo.get(key);
      if (options === undefined) {
        if (memo.size >= MAX_MEMO_ENTRIES) memo.clear();
        options = resolve(family, model);
        memo.set(key, options);
      }
      return entryAt(options, at);
    },
    knownModels(providerFamily) {
      const provider = findProvider({ providerId: normalizeFamily(providerFamily) });
      return provider ? provider.models.filter((model) => !model.deprecated).map((model) => model.id) : [];
    },
  };
}
