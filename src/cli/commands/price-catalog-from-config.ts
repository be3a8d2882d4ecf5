/**
 * The price catalog exactly as the gateway builds it from a validated config (bundled genai-prices data, the
 * corrections in src/pricing/price-corrections.ts, then `models[].price` and `pricing.prices[]`), and the rule the
 * gateway prices a usage record by. `jevons prices`, `jevons prices check` and `jevons reprice` use these so that
 * what they show or recompute is what the gateway charges.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { JevonsConfig } from '../../spec/config/config-schema.js';
import type { TokenUsage } from '../../spec/usage.js';
import { computeCost, createPriceCatalog, overridesFromConfig, type CostBreakdown, type PriceCatalog, type PriceEntry } from '../../pricing/index.js';
import { priceFamilies } from '../../providers/price-family.js';

export type PricingConfig = Pick<JevonsConfig, 'providers' | 'models' | 'pricing'>;

/** The catalog the gateway prices with: `createPriceCatalog({ overrides: overridesFromConfig(...) })`. */
export function priceCatalogFromConfig(config: PricingConfig, options: { now?: () => number } = {}): PriceCatalog {
  const overrides = overridesFromConfig({ config, priceFamilyOf: priceFamilies(config.providers) });
  return createPriceCatalog({ overrides, now: options.now });
}

/** The catalog without any configured price: bundled data plus built-in corrections only. */
export function builtInPriceCatalog(options: { now?: () => number } = {}): PriceCatalog {
  return createPriceCatalog({ now: options.now });
}

export type PricedUsage =
  | { kind: 'priced'; cost: CostBreakdown; entry: PriceEntry }
  /** `entry` is set when a model has a price but none for the service tier the usage was billed at. */
  | { kind: 'unpriced'; entry: PriceEntry | null };

/**
 * The gateway's pricing rule (server/main.ts createPricer, dispatch-deps.ts settleUsage): the first of `models` the
 * catalog knows, at the price in force at `at`; unpriced when none is known, or when the first known one has no
 * price for the usage's service tier (never priced at another tier, never $0).
 */
export function priceUsage(options: { catalog: PriceCatalog; providerFamily: string; models: readonly string[]; usage: TokenUsage; at: number }): PricedUsage {
  for (const model of options.models) {
    const entry = options.catalog.lookup({ providerFamily: options.providerFamily, model, at: options.at });
    if (entry === null) continue;
    const cost = computeCost(options.usage, entry);
    return cost === null ? { kind: 'unpriced', entry } : { kind: 'priced', cost, entry };
  }
  return { kind: 'unpriced', entry: null };
}

let bundledVersion: string | undefined;

/** `@pydantic/genai-prices 0.1.8`: the bundled price data in use, for "where the number comes from". */
export function bundledDataLabel(): string {
  if (bundledVersion === undefined) {
    bundledVersion = '';
    try {
      // The package exports no package.json; its entry point sits in dist/, one level below it.
      const entry = createRequire(import.meta.url).resolve('@pydantic/genai-prices');
      const parsed: unknown = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8'));
      if (typeof parsed === 'object' && parsed !== null && 'version' in parsed && typeof parsed.version === 'string') bundledVersion = parsed.version;
    } catch {
      // Unknown version: the label names the package only.
    }
  }
  return bundledVersion === '' ? '@pydantic/genai-prices' : `@pydantic/genai-prices ${bundledVersion}`;
}
