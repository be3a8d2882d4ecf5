/**
 * For the pricing commands: the catalog without configured prices, and the label of the bundled data. The catalog the
 * gateway prices with is src/providers/price-family.ts priceCatalogFromConfig; its pricing rule is pricing priceUsage.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { createPriceCatalog, type PriceCatalog } from '../../pricing/index.js';

/** The catalog without any configured price: bundled data plus built-in corrections only. */
export function builtInPriceCatalog(options: { now?: () => number } = {}): PriceCatalog {
  return createPriceCatalog({ now: options.now });
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
