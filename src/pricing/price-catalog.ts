/**
 * The price catalog: configured overrides first, then genai-prices' bundled data. Model matching is genai-prices'
 * own (`calcPrice` with the provider id): its match rules, its case folding, its fallback providers and its
 * date-suffix normalisation (`claude-sonnet-4-5-20250929` -> `claude-sonnet-4-5`, `gpt-4o-2024-08-06` -> `gpt-4o`),
 * so a model resolves here exactly when genai-prices would price it.
 */
import { calcPrice, findProvider, type ModelInfo, type Provider } from '@pydantic/genai-prices';
import { conditionInForce, lastHolding, priceOptionsOf, type ModelPriceOptions, type PriceCondition } from './genai-prices-entry.js';
import type { PriceCatalog, PricedServiceTier, PriceEntry, PriceOverride, PriceVersion } from './price-types.js';
import { priceCorrections } from './price-corrections.js';
import { builtInServiceTiers, scaleSchedule } from './service-tier-prices.js';

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

/** A configured price over the bundled one: its dated versions, and what applies before the first date. */
type CatalogOptions = ModelPriceOptions | { kind: 'override'; conditions: PriceCondition[]; entries: PriceEntry[]; fallback: ModelPriceOptions };

/** `2026-01-01` for a UTC midnight, else the full ISO time. */
function dateLabel(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

function versionEntry(override: PriceOverride, version: PriceVersion, family: string): PriceEntry {
  const standard = { base: version.base, tiers: version.tiers };
  const provider = override.providerFamily === undefined ? family : normalizeFamily(override.providerFamily);
  const serviceTiers: PriceEntry['serviceTiers'] = builtInServiceTiers(provider, override.model.trim().toLowerCase(), standard);
  for (const [tier, price] of Object.entries(version.serviceTiers) as Array<[PricedServiceTier, PriceVersion['serviceTiers'][PricedServiceTier]]>) {
    if (price === undefined) continue;
    serviceTiers[tier] = { ...('factor' in price ? scaleSchedule(standard, price.factor) : price), source: `${override.origin ?? 'config'}:${override.refPath}` };
  }
  const origin = override.origin ?? 'config';
  return {
    ref: `${origin}:${override.refPath}${version.effectiveFrom === null ? '' : `@${dateLabel(version.effectiveFrom)}`}`,
    source: origin,
    provider,
    model: override.model,
    effectiveFrom: version.effectiveFrom,
    requestUsd: version.requestUsd,
    ...standard,
    serviceTiers,
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

/** The entry in force at `at` (epoch ms). A fixed price, the common case, allocates nothing. */
function entryAt(options: CatalogOptions, at: number): PriceEntry | null {
  switch (options.kind) {
    case 'fixed':
      return options.entry;
    case 'conditional':
      return options.entries[conditionInForce(options.conditions, new Date(at))] ?? null;
    case 'override': {
      const index = lastHolding(options.conditions, new Date(at));
      return index < 0 ? entryAt(options.fallback, at) : (options.entries[index] ?? null);
    }
  }
}

function entriesOf(options: CatalogOptions): PriceEntry[] {
  switch (options.kind) {
    case 'fixed':
      return options.entry === null ? [] : [options.entry];
    case 'conditional':
      return options.entries.filter((entry): entry is PriceEntry => entry !== null);
    case 'override':
      return [...entriesOf(options.fallback), ...options.entries];
  }
}

/** The bundled entry a `genai-prices:<provider>/<model>[@condition]` ref names, or null. */
function bundledByRef(ref: string): PriceEntry | null {
  const rest = ref.slice('genai-prices:'.length);
  const slash = rest.indexOf('/');
  const provider = slash < 0 ? undefined : findProvider({ providerId: rest.slice(0, slash) });
  if (provider === undefined) return null;
  const modelPart = rest.slice(slash + 1);
  for (const model of provider.models) {
    if (modelPart !== model.id && !modelPart.startsWith(`${model.id}@`)) continue;
    const found = entriesOf(priceOptionsOf({ providerId: provider.id, model })).find((entry) => entry.ref === ref);
    if (found) return found;
  }
  return null;
}

/**
 * Builds the catalog. Overrides win over bundled prices from their first version's date; one with a providerFamily
 * wins over one without. Never calls genai-prices' `updatePrices`: bundled data only, no network.
 */
export function createPriceCatalog(options: PriceCatalogOptions): PriceCatalog {
  const now = options.now ?? Date.now;
  const overrides = new Map<string, PriceOverride>();
  // Corrections first, so a configured price for the same model replaces a correction.
  for (const override of [...priceCorrections, ...(options.overrides ?? [])]) {
    const family = override.providerFamily === undefined ? '*' : normalizeFamily(override.providerFamily);
    overrides.set(`${family}\u0000${override.model.trim().toLowerCase()}`, override);
  }
  const memo = new Map<string, CatalogOptions>();
  const refs = new Map<string, PriceEntry | null>();

  const overrideFor = (family: string, id: string) => overrides.get(`${family}\u0000${id}`) ?? overrides.get(`*\u0000${id}`);

  const resolve = (family: string, model: string): CatalogOptions => {
    const bundled = bundledOptions(family, model, new Date(now()));
    // A price configured for a model also covers the ids the bundled data resolves to it (gpt-4o-2024-08-06 -> gpt-4o).
    const canonical = entriesOf(bundled)[0]?.model.toLowerCase();
    const override = overrideFor(family, model.trim().toLowerCase()) ?? (canonical === undefined ? undefined : overrideFor(family, canonical));
    if (!override) return bundled;
    return {
      kind: 'override',
      conditions: override.versions.map((version) => (version.effectiveFrom === null ? { kind: 'always' } : { kind: 'from', epochMs: version.effectiveFrom })),
      entries: override.versions.map((version) => versionEntry(override, version, family)),
      fallback: bundled,
    };
  };

  const optionsFor = (providerFamily: string, model: string): CatalogOptions => {
    const family = normalizeFamily(providerFamily);
    const key = `${family}\u0000${model}`;
    let found = memo.get(key);
    if (found === undefined) {
      if (memo.size >= MAX_MEMO_ENTRIES) memo.clear();
      found = resolve(family, model);
      memo.set(key, found);
    }
    return found;
  };

  return {
    lookup({ providerFamily, model, at }) {
      return entryAt(optionsFor(providerFamily, model), at ?? now());
    },
    byRef(ref) {
      let entry = refs.get(ref);
      if (entry !== undefined) return entry;
      if (ref.startsWith('config:') || ref.startsWith('correction:')) {
        entry = null;
        for (const override of overrides.values()) {
          for (const version of override.versions) {
            const candidate = versionEntry(override, version, override.providerFamily === undefined ? '*' : normalizeFamily(override.providerFamily));
            if (candidate.ref === ref) entry = candidate;
          }
        }
      } else {
        entry = ref.startsWith('genai-prices:') ? bundledByRef(ref) : null;
      }
      if (refs.size >= MAX_MEMO_ENTRIES) refs.clear();
      refs.set(ref, entry);
      return entry;
    },
    versions({ providerFamily, model }) {
      return entriesOf(optionsFor(providerFamily, model)).sort((a, b) => (a.effectiveFrom ?? -Infinity) - (b.effectiveFrom ?? -Infinity));
    },
    knownModels(providerFamily) {
      const provider = findProvider({ providerId: normalizeFamily(providerFamily) });
      return provider ? provider.models.filter((model) => !model.deprecated).map((model) => model.id) : [];
    },
  };
}
