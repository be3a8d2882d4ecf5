/**
 * `jevons prices [model...]`: what Jevons charges for a model, per token kind and tier, and where each number comes
 * from; `jevons prices check`: configured models without a price, and configured prices that differ from the bundled
 * ones (src/cli/commands/prices-check.ts). Models resolve exactly as the gateway routes them, and prices come from
 * the catalog the gateway builds (providers/price-family.ts priceCatalogFromConfig).
 */
import { InvalidArgumentError, type Command } from 'commander';
import { createModelCatalog } from '../../pipeline/model-catalog.js';
import type { PricedServiceTier, PriceCatalog, PriceEntry } from '../../pricing/index.js';
import { priceFamilies } from '../../providers/price-family.js';
import type { Environment, LoadedConfig } from '../../spec/config/load-config.js';
import { loadConfig } from '../load.js';
import { formatTable } from '../table.js';
import { bundledDataLabel } from './bundled-prices.js';
import { priceCatalogFromConfig } from '../../providers/price-family.js';
import { cellText, dateText, kindLabels, perMtokText, priceColumns, shownKinds, tokensLabel, type ScheduleColumn } from './price-table.js';
import { pricesCheck } from './prices-check.js';

export interface PricesDeps {
  env: NodeJS.ProcessEnv | Environment;
  print: (text: string) => void;
  /** Clock (epoch ms); default Date.now. */
  now?: () => number;
  /** Where the exit status goes; default process.exitCode. */
  setExitCode?: (code: number) => void;
}

const serviceTierNames: readonly PricedServiceTier[] = ['batch', 'flex', 'priority'];

export interface PriceVersionReport {
  ref: string;
  source: PriceEntry['source'];
  effectiveFrom: string | null;
  /**
   * Relative to the version in force at the report's time: `replaced` = a bundled price a configured one replaces
   * for all time; `alternative` = applies at other times of day (bundled daily windows, e.g. off-peak prices).
   */
  relation: 'in force' | 'older' | 'newer' | 'alternative' | 'replaced';
}

export interface ModelPriceReport {
  /** The name as asked (or `provider/model` for a pricing.prices entry). */
  name: string;
  status: 'priced' | 'unpriced' | 'not-routable';
  /** Why a model is unpriced or not routable, in one line. */
  message?: string;
  provider?: string;
  family?: string;
  upstreamModel?: string;
  /** The time the prices were looked up for (ISO). */
  at: string;
  price?: {
    ref: string;
    source: PriceEntry['source'];
    /** Where the number comes from: the bundled data and its version, a correction, or the config file and key. */
    origin: string;
    /** `<catalog provider>/<catalog model>` the upstream id matched. */
    catalogModel: string;
    effectiveFrom: string | null;
    requestUsd: number;
    /** Context-tier thresholds of the standard schedule (total input tokens strictly above). */
    contextTiers: number[];
    /** Schedules with every kind resolved; `fallbacks` names the kind a price is taken from. */
    columns: ScheduleColumn[];
    serviceTiers: Partial<Record<PricedServiceTier, { source: string }>>;
  };
  versions?: PriceVersionReport[];
}

const iso = (epochMs: number | null): string | null => (epochMs === null ? null : new Date(epochMs).toISOString());

/** The config key a `config:<key>[@<date>]` ref names: `models.my-model`, `pricing.prices.groq/llama-3.1-8b-instant`. */
export const configKeyOf = (ref: string): string => ref.replace(/^config:/, '').replace(/@\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/, '');

/** Where an entry's numbers come from, for people: the bundled data with its version, a correction, or the config. */
export function originOf(entry: PriceEntry, configSource: string): string {
  switch (entry.source) {
    case 'bundled':
      return `bundled ${bundledDataLabel()}`;
    case 'correction':
      return 'correction of the bundled data shipped with Jevons (src/pricing/price-corrections.ts)';
    case 'config':
      return `config ${configSource}: ${configKeyOf(entry.ref)}`;
  }
}

/** The daily UTC window of a bundled time-of-day price (`genai-prices:deepseek/deepseek-chat@00:30:00Z-16:30:00Z`). */
const dailyWindowOf = (ref: string): string | null => /^genai-prices:.*@(\d{2}:\d{2}[^@]*-[^@]+)$/.exec(ref)?.[1] ?? null;

function versionReports(catalog: PriceCatalog, family: string, model: string, current: PriceEntry): PriceVersionReport[] {
  const versions = catalog.versions({ providerFamily: family, model });
  // A configured price without a start date replaces the bundled one for all time.
  const replacesBundled = versions.some((entry) => entry.source !== 'bundled' && entry.effectiveFrom === null);
  const start = (entry: PriceEntry) => entry.effectiveFrom ?? -Infinity;
  const relation = (entry: PriceEntry): PriceVersionReport['relation'] => {
    if (entry.ref === current.ref) return 'in force';
    if (entry.source === 'bundled' && current.source !== 'bundled' && replacesBundled) return 'replaced';
    if (dailyWindowOf(entry.ref) !== null || dailyWindowOf(current.ref) !== null) return 'alternative';
    return start(entry) > start(current) ? 'newer' : start(entry) < start(current) ? 'older' : 'alternative';
  };
  return versions.map((entry) => ({ ref: entry.ref, source: entry.source, effectiveFrom: iso(entry.effectiveFrom), relation: relation(entry) }));
}

/** The price report of one routed model at `at`. */
function routedReport(options: { name: string; provider: string; upstreamModel: string; loaded: LoadedConfig; catalog: PriceCatalog; at: number; family?: string }): ModelPriceReport {
  const { name, provider, upstreamModel, catalog, at } = options;
  const family = options.family ?? priceFamilies(options.loaded.config.providers)(provider);
  const base = { name, provider, upstreamModel, at: new Date(at).toISOString() };
  if (family === undefined) return { ...base, status: 'unpriced', message: `provider "${provider}" is not configured` };
  const entry = catalog.lookup({ providerFamily: family, model: upstreamModel, at });
  if (entry === null) {
    const action = options.loaded.config.pricing.unpriced === 'reject' ? 'requests for it are rejected (pricing.unpriced: reject)' : 'its requests are recorded with cost NULL, not $0';
    return { ...base, family, status: 'unpriced', message: `no price for "${upstreamModel}" in price family "${family}" (bundled data or config): ${action}; add models[].price or a pricing.prices entry` };
  }
  const serviceTiers: NonNullable<ModelPriceReport['price']>['serviceTiers'] = {};
  for (const tier of serviceTierNames) {
    const schedule = entry.serviceTiers[tier];
    if (schedule !== undefined) serviceTiers[tier] = { source: schedule.source };
  }
  return {
    ...base,
    family,
    status: 'priced',
    price: {
      ref: entry.ref,
      source: entry.source,
      origin: originOf(entry, options.loaded.source),
      catalogModel: `${entry.provider}/${entry.model}`,
      effectiveFrom: iso(entry.effectiveFrom),
      requestUsd: entry.requestUsd,
      contextTiers: entry.tiers.map((tier) => tier.aboveInputTokens),
      columns: priceColumns(entry),
      serviceTiers,
    },
    versions: versionReports(catalog, family, upstreamModel, entry),
  };
}

const mainFamilies = ['openai', 'anthropic', 'google'];

/** For a name no provider routes: `<family>/<model>` when that family prices it, else the first main family that does. */
function bundledFamilyOf(catalog: PriceCatalog, name: string, at: number): { family: string; model: string } | null {
  const slash = name.indexOf('/');
  if (slash > 0) {
    const family = name.slice(0, slash);
    const model = name.slice(slash + 1);
    if (catalog.lookup({ providerFamily: family, model, at }) !== null) return { family, model };
  }
  const family = mainFamilies.find((candidate) => catalog.lookup({ providerFamily: candidate, model: name, at }) !== null);
  return family === undefined ? null : { family, model: name };
}

/** Resolves each name as the gateway routes it (else the bundled price of its family), then looks its price up at `at`. */
export function modelPriceReports(options: { loaded: LoadedConfig; names: readonly string[]; at: number; catalog?: PriceCatalog }): ModelPriceReport[] {
  const { config } = options.loaded;
  const catalog = options.catalog ?? priceCatalogFromConfig(config);
  const models = createModelCatalog({ providers: config.providers, models: config.models });
  return options.names.map((name) => {
    const target = models.resolve(name);
    if (target === null) {
      // Not routable here: still show the bundled price, for `family/model` or a model a main family prices.
      const bundled = bundledFamilyOf(catalog, name, options.at);
      if (bundled !== null) return routedReport({ name, provider: '(none configured)', upstreamModel: bundled.model, family: bundled.family, loaded: options.loaded, catalog, at: options.at });
      return { name, status: 'not-routable', at: new Date(options.at).toISOString(), message: `not routable with this configuration (routable: ${models.describe()})` };
    }
    return routedReport({ name, provider: target.provider, upstreamModel: target.upstreamModel, loaded: options.loaded, catalog, at: options.at });
  });
}

/** Every configured model: `models[]` by name, then `pricing.prices[]` as `provider/model`. */
export function configuredModelReports(options: { loaded: LoadedConfig; at: number; catalog?: PriceCatalog }): ModelPriceReport[] {
  const { config } = options.loaded;
  const catalog = options.catalog ?? priceCatalogFromConfig(config);
  const reports = config.models.map((model) => routedReport({ name: model.name, provider: model.provider, upstreamModel: model.model ?? model.name, loaded: options.loaded, catalog, at: options.at }));
  for (const entry of config.pricing.prices) {
    reports.push(routedReport({ name: `${entry.provider}/${entry.model}`, provider: entry.provider, upstreamModel: entry.model, loaded: options.loaded, catalog, at: options.at }));
  }
  return reports;
}

const field = (label: string, value: string): string => `  ${label.padEnd(14)} ${value}`;

/** `from 2026-06-01`, `daily 00:30:00Z-16:30:00Z` (a bundled off-peak window), or `no start date`. */
function effectiveText(ref: string, effectiveFrom: string | null): string {
  if (effectiveFrom !== null) return `from ${dateText(Date.parse(effectiveFrom))}`;
  const window = dailyWindowOf(ref);
  return window === null ? 'no start date' : `daily ${window}`;
}

function serviceTierLines(report: NonNullable<ModelPriceReport['price']>): string[] {
  return serviceTierNames.map((tier) => {
    const source = report.serviceTiers[tier]?.source;
    return `${tier}: ${source ?? `no price (a call billed at ${tier} is recorded unpriced)`}`;
  });
}

/** The detailed text of one model. */
export function formatModelReport(report: ModelPriceReport): string {
  if (report.status === 'not-routable') return `${report.name}: ${report.message ?? 'not routable'}`;
  const route = field('route', `provider ${report.provider ?? '?'}${report.family === undefined ? '' : ` (price family ${report.family})`} → upstream model ${report.upstreamModel ?? '?'}`);
  const price = report.price;
  if (report.status === 'unpriced' || price === undefined) return [`${report.name}: unpriced — ${report.message ?? 'no price'}`, route].join('\n');
  const kinds = shownKinds(price.columns);
  const table = formatTable(['USD / Mtok', ...price.columns.map((column) => column.label)], kinds.map((kind) => [kindLabels[kind], ...price.columns.map((column) => cellText(column, kind))]));
  const tiers = price.contextTiers.length === 0 ? 'none' : price.contextTiers.map((above) => `> ${above.toLocaleString('en-US')} input tokens (column "> ${tokensLabel(above)}")`).join('; ');
  const [firstTier, ...otherTiers] = serviceTierLines(price);
  const lines = [
    report.name,
    route,
    field('catalog model', price.catalogModel),
    field('price', `${price.ref} — ${price.origin}`),
    field('in force', `${effectiveText(price.ref, price.effectiveFrom)} (prices at ${report.at})`),
    ...table.split('\n').map((line) => `    ${line}`),
    field('context tiers', `${tiers}${price.contextTiers.length > 0 ? ', counting uncached + cache read + cache write tokens' : ''}`),
    field('service tiers', firstTier ?? ''),
    ...otherTiers.map((line) => field('', line)),
    field('request fee', price.requestUsd === 0 ? 'none' : `$${perMtokText(price.requestUsd)} per request`),
  ];
  const versions = report.versions ?? [];
  if (versions.length > 1) {
    lines.push(field('versions', ''));
    const rows = versions.map((version) => [version.ref, effectiveText(version.ref, version.effectiveFrom), version.relation]);
    lines.push(...formatTable(['ref', 'effective', 'at this time'], rows).split('\n').map((line) => `    ${line}`));
  }
  return lines.join('\n');
}

/** One line per model: the standard prices and what else the model has. */
export function formatCompactTable(reports: readonly ModelPriceReport[]): string {
  const rows = reports.map((report) => {
    const route = report.provider === undefined ? '' : `${report.provider}/${report.upstreamModel ?? ''}`;
    const standard = report.price?.columns[0];
    if (report.status !== 'priced' || report.price === undefined || standard === undefined) return [report.name, route, report.status === 'not-routable' ? 'not routable' : 'unpriced', '', '', '', '', '', '', ''];
    const price = report.price;
    return [
      report.name,
      route,
      perMtokText(standard.perMtok.input),
      perMtokText(standard.perMtok.cacheRead),
      perMtokText(standard.perMtok.cacheWrite5m),
      perMtokText(standard.perMtok.output),
      price.contextTiers.map((above) => `>${tokensLabel(above)}`).join(' '),
      Object.keys(price.serviceTiers).join(' '),
      price.requestUsd === 0 ? '' : `$${perMtokText(price.requestUsd)}`,
      `${price.ref} (${price.source})`,
    ];
  });
  return formatTable(['model', 'provider/upstream', 'input', 'cache read', 'cache write', 'output', 'context tiers', 'service tiers', 'fee', 'price'], rows);
}

/** The whole `jevons prices` output and its exit status (1 when a model shown is unpriced or not routable). */
export function pricesReport(options: { loaded: LoadedConfig; names: readonly string[]; at: number; json: boolean }): { text: string; exitCode: number } {
  const listAll = options.names.length === 0;
  const reports = listAll ? configuredModelReports(options) : modelPriceReports(options);
  const exitCode = reports.some((report) => report.status !== 'priced') ? 1 : 0;
  if (options.json) return { text: JSON.stringify(reports, null, 2), exitCode };
  if (listAll && reports.length === 0) {
    return { text: `No models configured in ${options.loaded.source} (models[] or pricing.prices[]). Name models to see their prices: jevons prices gpt-4o claude-sonnet-4-5`, exitCode: 0 };
  }
  if (listAll) return { text: `USD per million tokens, standard tier, at ${new Date(options.at).toISOString()} (config ${options.loaded.source})\n${formatCompactTable(reports)}`, exitCode };
  return { text: reports.map(formatModelReport).join('\n\n'), exitCode };
}

/** Parses an ISO date or date-time option value (UTC when no zone is given for a date). */
export function parseInstant(option: string): (text: string) => number {
  return (text) => {
    const parsed = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim()) ? Date.parse(text.trim()) : Number.NaN;
    if (Number.isNaN(parsed)) throw new InvalidArgumentError(`${option}: expected an ISO date (2026-11-01) or date-time (2026-11-01T12:00:00Z), got "${text}"`);
    return parsed;
  };
}

export function registerPricesCommand(program: Command, deps: PricesDeps): void {
  const now = deps.now ?? Date.now;
  const setExitCode = deps.setExitCode ?? ((code: number) => void (process.exitCode = code));
  const prices = program
    .command('prices')
    .description('Show what Jevons charges per token kind and tier for models, and where each price comes from')
    .argument('[models...]', 'model names as callers send them (default: every configured model)')
    .option('-c, --config <path>', 'jevons.yaml to use')
    .option('--at <date>', 'show the prices in force at this ISO date or date-time', parseInstant('--at'))
    .option('--json', 'machine-readable output')
    .action((names: string[], options: { config?: string; at?: number; json?: boolean }) => {
      const loaded = loadConfig({ path: options.config, env: deps.env });
      const result = pricesReport({ loaded, names, at: options.at ?? now(), json: options.json === true });
      deps.print(result.text);
      setExitCode(result.exitCode);
    });
  prices
    .command('check')
    .description('List configured models with no price, configured prices that differ from the bundled ones, and future-dated prices')
    .option('-c, --config <path>', 'jevons.yaml to use')
    .option('--json', 'machine-readable output')
    .action((options: { config?: string; json?: boolean }, command: Command) => {
      // The parent command has the same options and takes them wherever they are written (`prices -c x check --json`).
      const parentOptions: { config?: string; json?: boolean } = command.parent?.opts() ?? {};
      const loaded = loadConfig({ path: options.config ?? parentOptions.config, env: deps.env });
      const result = pricesCheck({ loaded, now: now(), json: (options.json ?? parentOptions.json) === true });
      deps.print(result.text);
      setExitCode(result.exitCode);
    });
}
