/**
 * `jevons reprice --since DATE [--until DATE] [--dry-run]`: recomputes the cost of past ledger rows with the prices
 * configured now (after a price correction), each row at the price in force at its own started_at, exactly as the
 * gateway prices a call. A row whose cost or price ref changes is rewritten; the cost and ref it had before go to
 * the audit columns (the first pre-reprice value is kept when a row is repriced again). Failed attempts without
 * usage are left as they are; a row that no longer has a price keeps its old cost and is reported, never set to NULL.
 */
import { existsSync } from 'node:fs';
import type { Database } from 'better-sqlite3';
import { InvalidArgumentError, type Command } from 'commander';
import type { RouteTarget } from '../../pipeline/call.js';
import { createModelCatalog } from '../../pipeline/model-catalog.js';
import type { PriceCatalog } from '../../pricing/index.js';
import { priceFamilies } from '../../providers/price-family.js';
import type { Environment } from '../../spec/config/load-config.js';
import { usageOfRow, type LedgerRow } from '../../spec/ledger.js';
import { openSqliteStores } from '../../stores/sqlite/index.js';
import { applyCostUpdates, ledgerPagesInRange, type RowCostUpdate } from '../../stores/sqlite/ledger-reprice.js';
import { loadConfig } from '../load.js';
import { count, formatTable, usd } from '../table.js';
import { priceUsage } from '../../pricing/index.js';
import { priceCatalogFromConfig } from '../../providers/price-family.js';
import { parseInstant } from './prices.js';
import { parseSince } from './usage.js';

export interface RepriceOptions {
  db: Database;
  catalog: PriceCatalog;
  /** Configured provider name → price family (priceFamilies(config.providers)); undefined = not configured. */
  familyOf: (provider: string) => string | undefined;
  /** A requested model name → its route under the current config, for the upstream id of an alias. */
  resolve: (model: string) => RouteTarget | null;
  since: number;
  until?: number;
  dryRun: boolean;
  /** repriced_at of the rows written (epoch ms). */
  now: number;
  /** Rows per read page and per write transaction. Default 1,000. */
  batchSize?: number;
}

export interface RepriceModelSummary {
  provider: string;
  model: string;
  rows: number;
  changed: number;
  unpriced: number;
  beforeUsd: number;
  afterUsd: number;
  /** Price refs the repriced rows of this model carry now. */
  refs: string[];
}

export interface UnpricedRowNote {
  id: string;
  provider: string;
  model: string;
  startedAt: number;
  /** The cost kept; null when the row had none either. */
  keptCostUsd: number | null;
  reason: string;
}

export interface RepriceSummary {
  since: number;
  until: number | null;
  dryRun: boolean;
  scanned: number;
  /** Rows whose cost or price ref changed (written unless dry run). */
  changed: number;
  unchanged: number;
  /** Rows that had a cost and have no price now: their old cost is kept. */
  lostPrice: number;
  /** Rows that had no cost and still have no price. */
  stillUnpriced: number;
  /** Failed upstream attempts without usage: left as they are. */
  skippedNoUsage: number;
  totalBeforeUsd: number;
  totalAfterUsd: number;
  byModel: RepriceModelSummary[];
  /** The first rows without a price now (at most 20), for the report. */
  unpricedRows: UnpricedRowNote[];
}

const MAX_UNPRICED_NOTES = 20;

const tokensOf = (row: LedgerRow): number => row.inputTokens + row.cacheReadTokens + row.cacheWrite5mTokens + row.cacheWrite1hTokens + row.outputTokens;

/** A failed attempt the provider did not bill: no tokens, and an error status or no cost recorded. */
const failedWithoutUsage = (row: LedgerRow): boolean => tokensOf(row) === 0 && (row.status >= 400 || row.status === 0 || row.costTotalUsd === null);


/**
 * Model ids to price a row by, in the gateway's order: the served snapshot id, then the upstream id the request went
 * to. The row stores the requested (public) name only, so the upstream id is that name's route under the current
 * config when it leads to the row's provider, else the requested name itself.
 */
export function modelsToTry(row: LedgerRow, resolve: RepriceOptions['resolve']): string[] {
  const target = resolve(row.requestedModel);
  const upstream = target !== null && target.provider === row.provider ? target.upstreamModel : row.requestedModel;
  return [...new Set([row.servedModel, upstream].filter((model): model is string => model !== null && model !== ''))];
}

/** The row's cost as the update would write it, or null when the new cost equals the stored one. */
function costUpdate(row: LedgerRow, update: RowCostUpdate): RowCostUpdate | null {
  // Rows written before the per-request fee column existed have a NULL fee next to a known total: that is $0.
  const storedFee = row.costRequestUsd ?? (row.costTotalUsd === null ? null : 0);
  const same =
    row.priceRef === update.priceRef &&
    row.costTotalUsd === update.costTotalUsd &&
    row.costInputUsd === update.costInputUsd &&
    row.costCacheReadUsd === update.costCacheReadUsd &&
    row.costCacheWriteUsd === update.costCacheWriteUsd &&
    row.costOutputUsd === update.costOutputUsd &&
    storedFee === update.costRequestUsd;
  return same ? null : update;
}

/** Reprices the rows with started_at in [since, until); one write transaction per batch. */
export function repriceLedger(options: RepriceOptions): RepriceSummary {
  const summary: RepriceSummary = {
    since: options.since,
    until: options.until ?? null,
    dryRun: options.dryRun,
    scanned: 0,
    changed: 0,
    unchanged: 0,
    lostPrice: 0,
    stillUnpriced: 0,
    skippedNoUsage: 0,
    totalBeforeUsd: 0,
    totalAfterUsd: 0,
    byModel: [],
    unpricedRows: [],
  };
  const models = new Map<string, RepriceModelSummary & { refSet: Set<string> }>();
  const modelOf = (row: LedgerRow) => {
    const key = `${row.provider}\u0000${row.requestedModel}`;
    let found = models.get(key);
    if (found === undefined) {
      found = { provider: row.provider, model: row.requestedModel, rows: 0, changed: 0, unpriced: 0, beforeUsd: 0, afterUsd: 0, refs: [], refSet: new Set() };
      models.set(key, found);
    }
    return found;
  };
  const range = { since: options.since, until: options.until };
  for (const page of ledgerPagesInRange(options.db, range, options.batchSize ?? 1_000)) {
    const updates: RowCostUpdate[] = [];
    for (const row of page) {
      summary.scanned += 1;
      const before = row.costTotalUsd ?? 0;
      summary.totalBeforeUsd += before;
      const model = modelOf(row);
      model.rows += 1;
      model.beforeUsd += before;
      let after = before;
      if (failedWithoutUsage(row)) {
        summary.skippedNoUsage += 1;
      } else {
        const family = options.familyOf(row.provider);
        const priced = family === undefined ? null : priceUsage({ catalog: options.catalog, providerFamily: family, models: modelsToTry(row, options.resolve), usage: usageOfRow(row), at: row.startedAt });
        if (priced === null || priced.kind === 'unpriced') {
          if (row.costTotalUsd === null) summary.stillUnpriced += 1;
          else summary.lostPrice += 1;
          model.unpriced += 1;
          if (summary.unpricedRows.length < MAX_UNPRICED_NOTES) {
            const reason =
              priced === null ? `provider "${row.provider}" is not in the config` : priced.entry === null ? 'no price for the model' : `${priced.entry.ref} has no ${row.serviceTier} service-tier price`;
            summary.unpricedRows.push({ id: row.id, provider: row.provider, model: row.requestedModel, startedAt: row.startedAt, keptCostUsd: row.costTotalUsd, reason });
          }
        } else {
          const { cost, entry } = priced;
          model.refSet.add(entry.ref);
          const update = costUpdate(row, { id: row.id, costInputUsd: cost.inputUsd, costCacheReadUsd: cost.cacheReadUsd, costCacheWriteUsd: cost.cacheWriteUsd, costOutputUsd: cost.outputUsd, costRequestUsd: cost.requestUsd, costTotalUsd: cost.totalUsd, priceRef: entry.ref });
          if (update === null) {
            summary.unchanged += 1;
          } else {
            updates.push(update);
            summary.changed += 1;
            model.changed += 1;
            after = update.costTotalUsd;
          }
        }
      }
      summary.totalAfterUsd += after;
      model.afterUsd += after;
    }
    if (!options.dryRun) applyCostUpdates(options.db, updates, options.now);
  }
  summary.byModel = [...models.values()]
    .map(({ refSet, ...model }) => ({ ...model, refs: [...refSet].sort() }))
    .sort((a, b) => Math.abs(b.afterUsd - b.beforeUsd) - Math.abs(a.afterUsd - a.beforeUsd) || b.rows - a.rows || a.model.localeCompare(b.model));
  return summary;
}

const signedUsd = (value: number): string => (Math.abs(value) < 5e-13 ? '$0' : `${value < 0 ? '-' : '+'}${usd(Math.abs(value))}`);

export function formatRepriceSummary(summary: RepriceSummary, context: { ledger: string; config: string }): string {
  const range = `${new Date(summary.since).toISOString()} → ${summary.until === null ? 'now' : new Date(summary.until).toISOString()}`;
  const verb = summary.dryRun ? 'would change' : 'changed';
  const width = Math.max('unchanged'.length, verb.length) + 2;
  const line = (label: string, text: string) => `  ${label.padEnd(width)}${text}`;
  const lines = [
    `${summary.dryRun ? 'Dry run: reprice' : 'Repriced'} ledger rows started ${range} (ledger ${context.ledger}, prices from ${context.config})`,
    line('scanned', `${count(summary.scanned)} rows`),
    line(verb, `${count(summary.changed)}${summary.dryRun ? '' : ' (the cost and price ref they had are kept in previous_cost_total_usd / previous_price_ref)'}`),
    line('unchanged', count(summary.unchanged)),
    line('unpriced', `${count(summary.lostPrice + summary.stillUnpriced)}: ${count(summary.lostPrice)} had a cost and have no price now (old cost kept, not replaced by NULL); ${count(summary.stillUnpriced)} still without a price`),
    line('skipped', `${count(summary.skippedNoUsage)} failed attempts without usage (left as they are)`),
    line('total', `${usd(summary.totalBeforeUsd)} → ${usd(summary.totalAfterUsd)} (${signedUsd(summary.totalAfterUsd - summary.totalBeforeUsd)})`),
  ];
  if (summary.byModel.length > 0) {
    const rows = summary.byModel.map((model) => [
      model.provider,
      model.model,
      count(model.rows),
      count(model.changed),
      count(model.unpriced),
      usd(model.beforeUsd),
      usd(model.afterUsd),
      signedUsd(model.afterUsd - model.beforeUsd),
      model.refs.length > 2 ? `${model.refs.slice(0, 2).join(', ')}, …` : model.refs.join(', '),
    ]);
    lines.push('', formatTable(['provider', 'model', 'rows', verb, 'unpriced', 'before', 'after', 'difference', 'price now'], rows));
  }
  if (summary.unpricedRows.length > 0) {
    lines.push('', `Rows without a price now${summary.lostPrice + summary.stillUnpriced > summary.unpricedRows.length ? ` (first ${summary.unpricedRows.length})` : ''}: their stored cost is kept.`);
    for (const note of summary.unpricedRows) {
      lines.push(`  ${note.id}  ${note.provider}/${note.model}  ${new Date(note.startedAt).toISOString()}  kept ${note.keptCostUsd === null ? 'unpriced' : usd(note.keptCostUsd)}  (${note.reason})`);
    }
  }
  if (summary.dryRun) lines.push('', 'Dry run: nothing was written.');
  return lines.join('\n');
}

export interface RepriceDeps {
  env: NodeJS.ProcessEnv | Environment;
  print: (text: string) => void;
  /** Clock (epoch ms) for repriced_at and relative --since spans; default Date.now. */
  now?: () => number;
}

export function registerRepriceCommand(program: Command, deps: RepriceDeps): void {
  const now = deps.now ?? Date.now;
  program
    .command('reprice')
    .description('Recompute the cost of past ledger rows with the current prices (after a price correction); the old cost is kept in audit columns')
    .requiredOption('--since <date>', 'first started_at to reprice: ISO date / date-time, or a span like 7d')
    .option('--until <date>', 'reprice rows that started before this ISO date / date-time (default: no end)', parseInstant('--until'))
    .option('--dry-run', 'report what would change without writing')
    .option('-c, --config <path>', 'jevons.yaml (prices, providers and storage.path)')
    .option('--db <path>', 'ledger file (overrides the config)')
    .action(async (options: { since: string; until?: number; dryRun?: boolean; config?: string; db?: string }) => {
      const at = now();
      let since: number | undefined;
      try {
        since = parseSince(options.since, at);
      } catch (error) {
        throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
      }
      if (since === undefined) throw new InvalidArgumentError('--since: required');
      if (options.until !== undefined && options.until <= since) throw new InvalidArgumentError(`--until (${new Date(options.until).toISOString()}) must be after --since (${new Date(since).toISOString()})`);
      const loaded = loadConfig({ path: options.config, env: deps.env });
      const path = options.db ?? loaded.config.storage.path;
      if (!existsSync(path)) throw new Error(`${path}: no such ledger file (set --db, or storage.path in the config)`);
      const { config } = loaded;
      const stores = openSqliteStores({ path });
      try {
        const routes = createModelCatalog({ providers: config.providers, models: config.models });
        const summary = repriceLedger({
          db: stores.db,
          catalog: priceCatalogFromConfig(config),
          familyOf: priceFamilies(config.providers),
          resolve: (model) => routes.resolve(model),
          since,
          until: options.until,
          dryRun: options.dryRun === true,
          now: at,
        });
        deps.print(formatRepriceSummary(summary, { ledger: path, config: loaded.source }));
      } finally {
        await stores.close();
      }
    });
}
