/**
 * Export records and ledger groups -> cells (UTC day x normalised model [x mapped provider]) -> drift and causes.
 * Pure: the price catalog is passed in, nothing is read or written.
 */
import type { PriceCatalog, PricedServiceTier, PriceEntry, PriceSchedule, ServiceTierPrices } from '../pricing/index.js';
import { computeCost } from '../pricing/index.js';
import { emptyUsage, toServiceTier } from '../spec/usage.js';
import { relativeDrift, roundTo, sumKinds, withinTolerance } from './amounts.js';
import { diagnose } from './causes.js';
import { ReconcileInputError } from './input-error.js';
import { normaliseModelId } from './model-id.js';
import { utcDay } from './page-result.js';
import {
  isCostFormat,
  zeroKinds,
  type ExportFamily,
  type ExportRecord,
  type ExportSide,
  type LedgerCellInput,
  type LedgerSide,
  type Measure,
  type MergedModel,
  type ParsedExport,
  type ReconcileCell,
  type ReconcileReport,
  type TokenCounts,
  type UnmeteredSpend,
} from './types.js';

export interface ReconcileOptions {
  exports: readonly ParsedExport[];
  /** Ledger groups of the providers to compare (the caller picks them), over at least comparisonRange(). */
  ledger: readonly LedgerCellInput[];
  /** Percent, e.g. 1 for 1%. */
  maxDriftPct: number;
  /** Provider API key id -> ledger provider name (--key-map). Empty or absent: compare per day x model. */
  keyMap?: Readonly<Record<string, string>>;
  /** Public model name -> upstream model id (config `models:`), used for ledger rows with no served model. */
  modelAliases?: Readonly<Record<string, string>>;
  catalog: PriceCatalog;
}

export const UNMAPPED_KEYS = '(unmapped keys)';
const ALL = '*';

/** What the comparison covers: the family, the measure, and the time range of the exports that carry the measure. */
export function comparisonRange(exports: readonly ParsedExport[]): { family: ExportFamily; measure: Measure; since: number; until: number } {
  const first = exports[0];
  if (first === undefined) throw new ReconcileInputError('no export file given');
  for (const parsed of exports) {
    if (parsed.family !== first.family) throw new ReconcileInputError(`${parsed.file}: is a ${parsed.family} export but ${first.file} is ${first.family}; reconcile one provider at a time`);
  }
  const measure: Measure = exports.some((parsed) => parsed.formats.some(isCostFormat)) ? 'usd' : 'tokens';
  const carrying = exports.filter((parsed) => measure === 'tokens' || parsed.formats.some(isCostFormat));
  return { family: first.family, measure, since: Math.min(...carrying.map((p) => p.since)), until: Math.max(...carrying.map((p) => p.until)) };
}

const emptyExportSide = (): ExportSide => ({
  usd: null,
  usdByKind: zeroKinds(),
  usdUnsplit: 0,
  tokens: null,
  requests: null,
  catalogUsd: null,
  catalogUsdByKind: zeroKinds(),
  catalogUnpricedTokens: 0,
  batchTokens: 0,
  byKey: {},
});

const emptyLedgerSide = (): LedgerSide => ({
  rows: 0,
  tokens: zeroKinds(),
  usd: 0,
  usdByKind: zeroKinds(),
  pricedTokens: zeroKinds(),
  unpricedRows: 0,
  unpricedTokens: 0,
  estimatedRows: 0,
  estimatedTokens: 0,
  priceRefs: [],
  providers: [],
});

const tokenTotal = (t: TokenCounts): number => t.input + t.cacheRead + t.cacheWrite5m + t.cacheWrite1h + t.output;

/** A schedule without context tiers: its base prices, or the long-context band's prices. */
function flatten<T extends PriceSchedule>(schedule: T, longContext: boolean): T {
  const band = longContext ? schedule.tiers.filter((tier) => tier.aboveInputTokens <= 200_000).at(-1) : undefined;
  return { ...schedule, base: band?.prices ?? schedule.base, tiers: [] };
}

/**
 * Prices a daily total with the catalog. Context-size tiers apply per request, which a daily total cannot tell, so
 * base prices are used, except for Anthropic rows grouped by context_window "200k-1M" (the long-context band).
 */
function entryForTotals(entry: PriceEntry, contextWindow: string | null): PriceEntry {
  const longContext = contextWindow !== null && contextWindow.startsWith('200k');
  const serviceTiers: PriceEntry['serviceTiers'] = {};
  for (const [tier, schedule] of Object.entries(entry.serviceTiers) as Array<[PricedServiceTier, ServiceTierPrices]>) {
    serviceTiers[tier] = flatten(schedule, longContext);
  }
  return { ...flatten(entry, longContext), serviceTiers };
}

interface Builder {
  cells: Map<string, { day: string; model: string; key: string; export: ExportSide; ledger: LedgerSide }>;
  merged: Map<string, { exportIds: Set<string>; ledgerIds: Set<string> }>;
}

function cellFor(builder: Builder, day: string, model: string, key: string) {
  const id = `${day}\u0000${model}\u0000${key}`;
  let cell = builder.cells.get(id);
  if (cell === undefined) {
    cell = { day, model, key, export: emptyExportSide(), ledger: emptyLedgerSide() };
    builder.cells.set(id, cell);
  }
  return cell;
}

function noteModel(builder: Builder, normalised: string, raw: string, side: 'exportIds' | 'ledgerIds'): void {
  let entry = builder.merged.get(normalised);
  if (entry === undefined) {
    entry = { exportIds: new Set(), ledgerIds: new Set() };
    builder.merged.set(normalised, entry);
  }
  entry[side].add(raw);
}

interface Context {
  family: ExportFamily;
  measure: Measure;
  granularity: 'model' | 'day';
  keyMap: Readonly<Record<string, string>> | null;
  catalog: PriceCatalog;
}

function addExportRecord(builder: Builder, context: Context, record: ExportRecord): void {
  const model = context.granularity === 'day' || record.model === null ? ALL : normaliseModelId(record.model);
  if (record.model !== null && context.granularity === 'model') noteModel(builder, model, record.model, 'exportIds');
  const key = context.keyMap === null ? ALL : (context.keyMap[record.apiKeyId ?? ''] ?? UNMAPPED_KEYS);
  const side = cellFor(builder, record.day, model, key).export;
  let measured: number | null = null;
  if (record.usd !== null) {
    side.usd = (side.usd ?? 0) + record.usd;
    if (record.usdKind === null) side.usdUnsplit += record.usd;
    else side.usdByKind[record.usdKind] += record.usd;
    if (context.measure === 'usd') measured = record.usd;
  }
  if (record.tokens !== null) {
    const t = record.tokens;
    side.tokens ??= zeroKinds();
    side.tokens.input += t.input;
    side.tokens.cacheRead += t.cacheRead;
    side.tokens.cacheWrite += t.cacheWrite5m + t.cacheWrite1h;
    side.tokens.output += t.output;
    if (record.requests !== null) side.requests = (side.requests ?? 0) + record.requests;
    if (context.measure === 'tokens') measured = tokenTotal(t);
    priceUsage(side, context, record, t);
  }
  if (record.apiKeyId !== null && measured !== null) side.byKey[record.apiKeyId] = (side.byKey[record.apiKeyId] ?? 0) + measured;
}

/**
 * What Jevons would charge for a usage record's tokens at the catalog's prices in force on the record's day, at the
 * record's service tier (batch, priority, flex); tokens without a price (model or tier) are counted apart.
 */
function priceUsage(side: ExportSide, context: Context, record: ExportRecord, t: TokenCounts): void {
  const total = tokenTotal(t);
  const serviceTier = toServiceTier(record.serviceTier);
  if (serviceTier === 'batch') side.batchTokens += total;
  const at = Date.parse(`${record.day}T00:00:00Z`);
  const entry = record.model === null ? null : context.catalog.lookup({ providerFamily: context.family, model: record.model, at });
  const usage = { ...emptyUsage(), inputTokens: t.input, cacheReadTokens: t.cacheRead, cacheWrite5mTokens: t.cacheWrite5m, cacheWrite1hTokens: t.cacheWrite1h, outputTokens: t.output, serviceTier };
  const cost = entry === null ? null : computeCost(usage, entryForTotals(entry, record.contextWindow));
  if (cost === null) {
    side.catalogUnpricedTokens += total;
    return;
  }
  side.catalogUsdByKind.input += cost.inputUsd;
  side.catalogUsdByKind.cacheRead += cost.cacheReadUsd;
  side.catalogUsdByKind.cacheWrite += cost.cacheWriteUsd;
  side.catalogUsdByKind.output += cost.outputUsd;
  side.catalogUsd = (side.catalogUsd ?? 0) + cost.inputUsd + cost.cacheReadUsd + cost.cacheWriteUsd + cost.outputUsd;
}

function addLedgerCell(builder: Builder, context: Context, input: LedgerCellInput, aliases: Readonly<Record<string, string>>): void {
  const tokens = input.inputTokens + input.cacheReadTokens + input.cacheWrite5mTokens + input.cacheWrite1hTokens + input.outputTokens;
  if (tokens === 0 && input.costUsd === 0) return; // failed attempts the provider did not bill
  const raw = input.servedModel ?? aliases[input.requestedModel] ?? input.requestedModel;
  const model = context.granularity === 'day' ? ALL : normaliseModelId(raw);
  if (context.granularity === 'model') noteModel(builder, model, raw, 'ledgerIds');
  const mapped = context.keyMap !== null && Object.values(context.keyMap).includes(input.provider);
  const key = context.keyMap === null ? ALL : mapped ? input.provider : UNMAPPED_KEYS;
  const side = cellFor(builder, input.day, model, key).ledger;
  side.rows += input.rows;
  side.tokens.input += input.inputTokens;
  side.tokens.cacheRead += input.cacheReadTokens;
  side.tokens.cacheWrite += input.cacheWrite5mTokens + input.cacheWrite1hTokens;
  side.tokens.output += input.outputTokens;
  side.usd += input.costUsd;
  side.usdByKind.input += input.costInputUsd;
  side.usdByKind.cacheRead += input.costCacheReadUsd;
  side.usdByKind.cacheWrite += input.costCacheWriteUsd;
  side.usdByKind.output += input.costOutputUsd;
  side.pricedTokens.input += input.inputTokens - input.unpricedInputTokens;
  side.pricedTokens.cacheRead += input.cacheReadTokens - input.unpricedCacheReadTokens;
  side.pricedTokens.cacheWrite += input.cacheWrite5mTokens + input.cacheWrite1hTokens - input.unpricedCacheWriteTokens;
  side.pricedTokens.output += input.outputTokens - input.unpricedOutputTokens;
  side.unpricedRows += input.unpricedRows;
  side.unpricedTokens += input.unpricedInputTokens + input.unpricedCacheReadTokens + input.unpricedCacheWriteTokens + input.unpricedOutputTokens;
  side.estimatedRows += input.estimatedRows;
  side.estimatedTokens += input.estimatedTokens;
  side.priceRefs = [...new Set([...side.priceRefs, ...input.priceRefs])].sort();
  if (!side.providers.includes(input.provider)) side.providers = [...side.providers, input.provider].sort();
}

function validateKeyMap(exports: readonly ParsedExport[], measure: Measure): void {
  if (measure === 'usd') {
    throw new ReconcileInputError('--key-map: cost exports carry no api_key_id (OpenAI costs group by project and line item, Anthropic costs by workspace and description); use a usage export grouped by api_key_id');
  }
  for (const parsed of exports) {
    if (parsed.records.some((record) => record.apiKeyId === null)) {
      throw new ReconcileInputError(`--key-map: ${parsed.file} is not grouped by api_key_id (request it with group_by=api_key_id)`);
    }
  }
}

/** Every export record and ledger group of the range, summed into cells. */
function collect(options: ReconcileOptions, context: Context, inRange: (day: string) => boolean, records: readonly ExportRecord[]) {
  const builder: Builder = { cells: new Map(), merged: new Map() };
  const unmetered: UnmeteredSpend[] = [];
  let outside = 0;
  for (const record of records) {
    if (!inRange(record.day)) outside++;
    else if (record.unmetered !== null) unmetered.push({ day: record.day, description: record.unmetered, usd: record.usd ?? 0 });
    else addExportRecord(builder, context, record);
  }
  const aliases = options.modelAliases ?? {};
  for (const input of options.ledger) if (inRange(input.day)) addLedgerCell(builder, context, input, aliases);
  return { builder, unmetered, outside };
}

/** Cells with traffic on either side, sorted, with their drift and causes. */
function finish(builder: Builder, measure: Measure, tolerance: number): ReconcileCell[] {
  return [...builder.cells.values()]
    .filter((cell) => measureOf(cell.export, measure) !== 0 || measureOfLedger(cell.ledger, measure) !== 0 || sumKinds(cell.ledger.tokens) !== 0)
    .sort((a, b) => a.day.localeCompare(b.day) || a.model.localeCompare(b.model) || a.key.localeCompare(b.key))
    .map((cell) => {
      const exportAmount = roundTo(measureOf(cell.export, measure), 12);
      const ledgerAmount = roundTo(measureOfLedger(cell.ledger, measure), 12);
      const ok = withinTolerance(ledgerAmount, exportAmount, tolerance);
      const findings = diagnose({ measure, tolerance, export: cell.export, ledger: cell.ledger, exportAmount, ledgerAmount, ok });
      return { ...cell, exportAmount, ledgerAmount, drift: relativeDrift(ledgerAmount, exportAmount), ok, findings };
    });
}

export function reconcile(options: ReconcileOptions): ReconcileReport {
  const range = comparisonRange(options.exports);
  const { measure, family } = range;
  const keyMap = options.keyMap && Object.keys(options.keyMap).length > 0 ? options.keyMap : null;
  if (keyMap !== null) validateKeyMap(options.exports, measure);
  const firstDay = utcDay(range.since);
  const lastDay = utcDay(range.until - 1);
  const notes = options.exports.flatMap((parsed) => parsed.notes);
  const records = options.exports.flatMap((parsed) => parsed.records);
  const granularity = records.some((record) => record.unmetered === null && record.model === null) ? 'day' : 'model';
  if (granularity === 'day') notes.push('an export is not grouped by model (OpenAI: group_by=line_item or model; Anthropic: group_by=description or model): compared per day');
  const context: Context = { family, measure, granularity, keyMap, catalog: options.catalog };
  const { builder, unmetered, outside } = collect(options, context, (day) => day >= firstDay && day <= lastDay, records);
  if (outside > 0) notes.push(`${outside} usage record(s) fall outside the cost export's range and were left out`);
  if (measure === 'tokens') notes.push("usage exports carry no dollars: drift is in tokens; dollars at the price catalog's prices of each day are shown for reference");

  const tolerance = options.maxDriftPct / 100;
  const cells = finish(builder, measure, tolerance);
  const exportTotal = roundTo(cells.reduce((sum, cell) => sum + cell.exportAmount, 0), 12);
  const ledgerTotal = roundTo(cells.reduce((sum, cell) => sum + cell.ledgerAmount, 0), 12);
  const total = { exportAmount: exportTotal, ledgerAmount: ledgerTotal, drift: relativeDrift(ledgerTotal, exportTotal), ok: withinTolerance(ledgerTotal, exportTotal, tolerance) };
  const exportByKey: Record<string, number> = {};
  if (keyMap === null) for (const cell of cells) for (const [id, amount] of Object.entries(cell.export.byKey)) exportByKey[id] = (exportByKey[id] ?? 0) + amount;
  return {
    files: options.exports.map((parsed) => parsed.file),
    formats: [...new Set(options.exports.flatMap((parsed) => parsed.formats))],
    family,
    measure,
    maxDriftPct: options.maxDriftPct,
    since: range.since,
    until: range.until,
    granularity,
    keyMapped: keyMap !== null,
    cells,
    total,
    mergedModels: mergedModels(builder),
    exportByKey,
    unmetered,
    notes,
    ok: total.ok && cells.every((cell) => cell.ok),
  };
}

const measureOf = (side: ExportSide, measure: Measure): number => (measure === 'usd' ? (side.usd ?? 0) : side.tokens === null ? 0 : sumKinds(side.tokens));
const measureOfLedger = (side: LedgerSide, measure: Measure): number => (measure === 'usd' ? side.usd : sumKinds(side.tokens));

/** Normalised ids that stand for a raw id other than themselves, with every raw id on each side. */
function mergedModels(builder: Builder): MergedModel[] {
  return [...builder.merged.entries()]
    .filter(([model, ids]) => [...ids.exportIds, ...ids.ledgerIds].some((raw) => raw !== model))
    .map(([model, ids]) => ({ model, exportIds: [...ids.exportIds].sort(), ledgerIds: [...ids.ledgerIds].sort() }))
    .sort((a, b) => a.model.localeCompare(b.model));
}
