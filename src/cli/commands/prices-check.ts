/**
 * `jevons prices check`: configured models (models[] and pricing.prices[]) with no price — the only finding that
 * fails the check — plus, for information, configured prices that differ from the bundled price of the same model,
 * configured prices another entry overrides, and configured prices dated in the future.
 */
import type { PriceCatalog, PriceEntry } from '../../pricing/index.js';
import { priceFamilies } from '../../providers/price-family.js';
import type { PriceConfig } from '../../spec/config/config-schema.js';
import type { LoadedConfig } from '../../spec/config/load-config.js';
import { formatTable } from '../table.js';
import { builtInPriceCatalog } from './bundled-prices.js';
import { priceCatalogFromConfig } from '../../providers/price-family.js';
import { dateText, kindLabels, perMtokText, priceColumns, priceKinds, type PriceKind, type ScheduleColumn } from './price-table.js';

/** One configured model or price, as the config names it. */
interface ConfiguredPrice {
  /** `models[2]` or `pricing.prices[0]`. */
  path: string;
  /** Public name (models[]) or `provider/model` (pricing.prices[]). */
  name: string;
  provider: string;
  upstreamModel: string;
  /** The key its price is stored under in refs: `models.<name>` or `pricing.prices.<provider>/<model>`. */
  refKey: string;
  price: PriceConfig | undefined;
}

export interface PriceDifference {
  /** Schedule column: `standard`, `> 200k`. */
  column: string;
  /** `context tier`: a context tier only one side has (its threshold on that side, null on the other). */
  kind: PriceKind | 'request fee' | 'context tier';
  /** USD per Mtok, USD per request for the fee, input tokens for a context tier; null when that side has none. */
  config: number | null;
  bundled: number | null;
}

export interface PricesCheckResult {
  config: string;
  at: string;
  unpriced: Array<{ path: string; name: string; provider: string; family: string | null; upstreamModel: string; message: string }>;
  differing: Array<{ path: string; name: string; configRef: string; bundledRef: string; differences: PriceDifference[] }>;
  shadowed: Array<{ path: string; name: string; usedRef: string }>;
  future: Array<{ path: string; name: string; effectiveFrom: string; refInForce: string | null }>;
}

function configuredPrices(loaded: LoadedConfig): ConfiguredPrice[] {
  const { config } = loaded;
  const models = config.models.map((model, index) => ({
    path: `models[${index}]`,
    name: model.name,
    provider: model.provider,
    upstreamModel: model.model ?? model.name,
    refKey: `models.${model.name}`,
    price: model.price,
  }));
  const prices = config.pricing.prices.map((entry, index) => ({
    path: `pricing.prices[${index}]`,
    name: `${entry.provider}/${entry.model}`,
    provider: entry.provider,
    upstreamModel: entry.model,
    refKey: `pricing.prices.${entry.provider}/${entry.model}`,
    price: entry.price,
  }));
  return [...models, ...prices];
}

const isRefOf = (ref: string, refKey: string): boolean => ref === `config:${refKey}` || ref.startsWith(`config:${refKey}@`);

/** Per kind and context tier, where the configured and bundled standard prices charge differently. */
export function priceDifferences(configured: PriceEntry, bundled: PriceEntry): PriceDifference[] {
  const ours = priceColumns(configured, { serviceTiers: false });
  const theirs = priceColumns(bundled, { serviceTiers: false });
  const labels = [...new Set([...ours, ...theirs].map((column) => column.label))];
  const find = (columns: readonly ScheduleColumn[], label: string) => columns.find((column) => column.label === label);
  const differences: PriceDifference[] = [];
  for (const label of labels) {
    const mine = find(ours, label);
    const other = find(theirs, label);
    if (mine === undefined || other === undefined) {
      differences.push({ column: label, kind: 'context tier', config: mine?.aboveInputTokens ?? null, bundled: other?.aboveInputTokens ?? null });
      continue;
    }
    for (const kind of priceKinds) {
      if (mine.perMtok[kind] === other.perMtok[kind]) continue;
      // When both sides charge a kind at a fallback price, the difference shows in the kind it falls back to.
      if (mine.fallbacks[kind] !== undefined && other.fallbacks[kind] !== undefined) continue;
      differences.push({ column: label, kind, config: mine.perMtok[kind], bundled: other.perMtok[kind] });
    }
  }
  if (configured.requestUsd !== bundled.requestUsd) differences.push({ column: 'standard', kind: 'request fee', config: configured.requestUsd, bundled: bundled.requestUsd });
  return differences;
}

/** The effective_from paths of a price's versions, with their dates. */
function datedVersions(price: PriceConfig, path: string): Array<{ path: string; epochMs: number }> {
  const versions = Array.isArray(price) ? price.map((version, index) => ({ version, path: `${path}.price[${index}]` })) : [{ version: price, path: `${path}.price` }];
  return versions.flatMap(({ version, path: versionPath }) => (version.effective_from === undefined ? [] : [{ path: `${versionPath}.effective_from`, epochMs: Date.parse(version.effective_from) }]));
}

/** Runs every check at `now`; the catalogs default to the gateway's and the bundled-only one. */
export function checkPrices(options: { loaded: LoadedConfig; now: number; catalog?: PriceCatalog; bundled?: PriceCatalog }): PricesCheckResult {
  const { loaded, now } = options;
  const catalog = options.catalog ?? priceCatalogFromConfig(loaded.config);
  const bundledCatalog = options.bundled ?? builtInPriceCatalog();
  const familyOf = priceFamilies(loaded.config.providers);
  const result: PricesCheckResult = { config: loaded.source, at: new Date(now).toISOString(), unpriced: [], differing: [], shadowed: [], future: [] };
  for (const item of configuredPrices(loaded)) {
    const family = familyOf(item.provider) ?? null;
    const entry = family === null ? null : catalog.lookup({ providerFamily: family, model: item.upstreamModel, at: now });
    if (entry === null || family === null) {
      const why = family === null ? `provider "${item.provider}" is not configured` : `no price for "${item.upstreamModel}" in price family "${family}"`;
      result.unpriced.push({ path: item.path, name: item.name, provider: item.provider, family, upstreamModel: item.upstreamModel, message: why });
    }
    if (item.price === undefined || family === null) continue;
    for (const version of datedVersions(item.price, item.path)) {
      if (version.epochMs > now) result.future.push({ path: version.path, name: item.name, effectiveFrom: new Date(version.epochMs).toISOString(), refInForce: entry?.ref ?? null });
    }
    if (entry === null || entry.source !== 'config') continue;
    if (!isRefOf(entry.ref, item.refKey)) {
      result.shadowed.push({ path: `${item.path}.price`, name: item.name, usedRef: entry.ref });
      continue;
    }
    const bundled = bundledCatalog.lookup({ providerFamily: family, model: item.upstreamModel, at: now });
    if (bundled === null) continue;
    const differences = priceDifferences(entry, bundled);
    if (differences.length > 0) result.differing.push({ path: `${item.path}.price`, name: item.name, configRef: entry.ref, bundledRef: bundled.ref, differences });
  }
  return result;
}

const cellOf = (difference: PriceDifference, value: number | null): string => {
  if (value === null) return 'none';
  return difference.kind === 'context tier' ? `> ${value.toLocaleString('en-US')}` : perMtokText(value);
};

const kindText = (kind: PriceDifference['kind']): string => (kind === 'request fee' ? 'request fee ($)' : kind === 'context tier' ? '(whole tier)' : kindLabels[kind]);

function differenceText(difference: PriceDifference): string {
  if (difference.kind === 'context tier') return difference.config === null ? 'tier only in bundled' : 'tier only in config';
  if (difference.config === null || difference.bundled === null) return '';
  const delta = difference.config - difference.bundled;
  const sign = delta > 0 ? '+' : '-';
  const percent = difference.bundled === 0 ? '' : ` (${sign}${Math.abs(Math.round((delta / difference.bundled) * 1000) / 10)}%)`;
  return `${sign}${perMtokText(Math.abs(delta))}${percent}`;
}

const indent = (text: string, spaces: number): string =>
  text
    .split('\n')
    .map((line) => `${' '.repeat(spaces)}${line}`)
    .join('\n');

export function formatPricesCheck(result: PricesCheckResult, unpricedMode: 'allow' | 'reject'): string {
  const sections = [`Prices of the models configured in ${result.config}, at ${result.at}`];
  if (result.unpriced.length > 0) {
    const consequence = unpricedMode === 'reject' ? 'their requests are rejected with 403 (pricing.unpriced: reject)' : 'their requests are recorded with cost NULL, not $0 (pricing.unpriced: allow)';
    const lines = result.unpriced.map((item) => `  ${item.path} ${item.name} → ${item.provider}/${item.upstreamModel}: ${item.message}`);
    sections.push([`No price — ${consequence}. Add a price under models[].price or pricing.prices:`, ...lines].join('\n'));
  }
  if (result.differing.length > 0) {
    const blocks = result.differing.map((item) => {
      const rows = item.differences.map((difference) => [difference.column, kindText(difference.kind), cellOf(difference, difference.config), cellOf(difference, difference.bundled), differenceText(difference)]);
      return `  ${item.path} ${item.name}: ${item.configRef} instead of ${item.bundledRef}\n${indent(formatTable(['schedule', 'kind ($/Mtok)', 'config', 'bundled', 'difference'], rows), 4)}`;
    });
    sections.push(['Configured prices that differ from the bundled price (informational):', ...blocks].join('\n'));
  }
  if (result.shadowed.length > 0) {
    sections.push(['Configured prices not used, another entry prices the same model (informational):', ...result.shadowed.map((item) => `  ${item.path} (${item.name}): ${item.usedRef} is used instead`)].join('\n'));
  }
  if (result.future.length > 0) {
    const lines = result.future.map((item) => `  ${item.path} ${item.name}: from ${dateText(Date.parse(item.effectiveFrom))}; until then ${item.refInForce ?? 'no price'} applies`);
    sections.push(['Configured prices not yet in force (informational):', ...lines].join('\n'));
  }
  sections.push(result.unpriced.length === 0 ? 'OK: every configured model has a price.' : `${result.unpriced.length} configured model${result.unpriced.length === 1 ? ' has' : 's have'} no price.`);
  return sections.join('\n\n');
}

/** `jevons prices check` output and exit status: 1 when a configured model has no price, else 0. */
export function pricesCheck(options: { loaded: LoadedConfig; now: number; json: boolean }): { text: string; exitCode: number } {
  const result = checkPrices(options);
  const exitCode = result.unpriced.length > 0 ? 1 : 0;
  return { text: options.json ? JSON.stringify(result, null, 2) : formatPricesCheck(result, options.loaded.config.pricing.unpriced), exitCode };
}
