/**
 * GET /spend (time series by group), /spend/top (top-N groups by cost) and /savings (what each cache saved). Sums come
 * from src/stores/sqlite/admin-spend.ts; this file parses the request and shapes the JSON.
 */
import { z } from 'zod';
import { savingsBySource, spendColumns, spendGroups, spendSeries, zeroMetrics, type SpendDimension, type SpendFilter, type SpendMetrics, type SpendRange } from '../../stores/sqlite/admin-spend.js';
import { routingSavings, type ServedRoutingSavings } from '../../stores/sqlite/admin-routing.js';
import { badParam } from './admin-error.js';
import { encodeCursor, type AdminQuery } from './admin-params.js';
import { arr, cursorParam, fromParam, int, limitParam, nullable, num, obj, ref, str, toParam, tzParam, type AdminContext, type AdminRoute, type JsonSchema, type ParamDoc } from './admin-route.js';
import { bucketBounds, formatLocal, intervals } from './admin-time.js';

const columnNames = Object.keys(spendColumns) as Array<keyof typeof spendColumns>;
const dimensionHelp = `${columnNames.join(', ')} or tag:<name>`;

/** `team`, `served_model`, `tag:env`, … → a dimension; anything else is a 400 naming `param`. */
export function parseDimension(text: string, param: string): SpendDimension {
  if ((columnNames as string[]).includes(text)) return { kind: 'column', name: text as keyof typeof spendColumns };
  if (text.startsWith('tag:') && text.length > 4) return { kind: 'tag', name: text.slice(4) };
  throw badParam(param, `expected a dimension (${dimensionHelp}), got ${JSON.stringify(text)}`);
}

const dimensionText = (dimension: SpendDimension | null): string | null => (dimension === null ? null : dimension.kind === 'tag' ? `tag:${dimension.name}` : dimension.name);

/** `filter.team=search&filter.team=ads&filter.tag:env=prod`: values of one dimension are OR-ed, dimensions AND-ed. */
function parseFilters(query: AdminQuery): SpendFilter[] {
  const byDimension = new Map<string, SpendFilter>();
  for (const [name, value] of query.search) {
    if (!name.startsWith('filter.')) continue;
    if (value === '') throw badParam(name, 'expected a value, got an empty string');
    const dimension = parseDimension(name.slice('filter.'.length), name);
    const key = dimensionText(dimension) ?? '';
    const found = byDimension.get(key);
    if (found === undefined) byDimension.set(key, { dimension, values: [value] });
    else byDimension.set(key, { dimension, values: [...found.values, value] });
  }
  return [...byDimension.values()];
}

/** The ledger metrics as the API shows them (snake_case, tokens by kind, savings split by source). */
export function metricsJson(m: SpendMetrics | undefined): Record<string, unknown> {
  const v = m ?? zeroMetrics();
  return {
    cost_usd: v.costUsd,
    cost_uncached_usd: v.costUncachedUsd,
    requests: v.requests,
    rows: v.rows,
    errors: v.errors,
    unpriced_rows: v.unpricedRows,
    estimated_rows: v.estimatedRows,
    tokens: { input: v.inputTokens, cache_read: v.cacheReadTokens, cache_write_5m: v.cacheWrite5mTokens, cache_write_1h: v.cacheWrite1hTokens, output: v.outputTokens, reasoning: v.reasoningTokens },
    cache_hits: { exact: v.exactCacheHits, semantic: v.semanticCacheHits },
    savings: { response_cache_usd: v.responseCacheSavedUsd, prompt_cache_usd: v.promptCacheSavedUsd, total_usd: v.responseCacheSavedUsd + v.promptCacheSavedUsd },
  };
}

export const metricsSchema: JsonSchema = obj({
  cost_usd: num('Sum of cost_total_usd over priced rows (unpriced rows add nothing: their cost is unknown).'),
  cost_uncached_usd: num('What the same rows would have cost with no cache at all (rows with a known uncached cost).'),
  requests: int('Requests: rows of first attempts (a retried request counts once).'),
  rows: int('Ledger rows (upstream attempts and cache answers).'),
  errors: int('Rows with HTTP status >= 400 or an error code.'),
  unpriced_rows: int('Rows with tokens but no price.'),
  estimated_rows: int('Rows whose usage was estimated (the provider reported none).'),
  tokens: obj({ input: int(), cache_read: int(), cache_write_5m: int(), cache_write_1h: int(), output: int(), reasoning: int('Part of output.') }),
  cache_hits: obj({ exact: int(), semantic: int() }),
  savings: obj({ response_cache_usd: num('cost_uncached_usd - cost_usd over rows a response cache answered.'), prompt_cache_usd: num('The same over upstream calls: provider prompt caching.'), total_usd: num() }),
});

const scopeOf = (context: AdminContext): { range: SpendRange; timeZone: string; from: number; to: number } => {
  const timeZone = context.query.timeZone(context.deps.timezone);
  const { from, to } = context.query.range({ timeZone, now: context.now });
  return { range: { since: from, until: to, filters: parseFilters(context.query) }, timeZone, from, to };
};

const offsetCursor = z.object({ o: z.number().int().nonnegative() });

const dimensionSchema = str(`Dimension: ${dimensionHelp}.`);
const filterParam: ParamDoc = { name: 'filter.', description: `filter.<dimension>=value (${dimensionHelp}); repeat a dimension for OR, combine dimensions for AND.`, schema: str() };
const rangeParams = [fromParam('30 days before to'), toParam('now'), tzParam];

async function spend(context: AdminContext): Promise<unknown> {
  const { range, timeZone, from, to } = scopeOf(context);
  const interval = context.query.oneOf('interval', intervals, 'day');
  const groupText = context.query.string('group_by');
  const groupBy = groupText === undefined || groupText === 'none' ? null : parseDimension(groupText, 'group_by');
  const limit = context.query.limit();
  const offset = context.query.cursor(offsetCursor)?.o ?? 0;
  const bounds = bucketBounds({ from, to, interval, timeZone });
  const db = context.deps.db;
  const { groups, more, cells, total } = spendSeries(db, { range, groupBy, limit, offset, bounds });
  const series = new Map<string, Map<number, SpendMetrics>>();
  for (const cell of cells) {
    const key = JSON.stringify(cell.group);
    if (!series.has(key)) series.set(key, new Map());
    series.get(key)?.set(cell.bucket, cell);
  }
  return {
    from: formatLocal(from, timeZone),
    to: formatLocal(to, timeZone),
    tz: timeZone,
    interval,
    group_by: dimensionText(groupBy),
    buckets: bounds.slice(0, -1).map((start, index) => ({ start: formatLocal(start, timeZone), end: formatLocal(bounds[index + 1] ?? start, timeZone) })),
    totals: metricsJson(total),
    groups: groups.map((group) => ({
      group: group.group,
      totals: metricsJson(group),
      series: bounds.slice(0, -1).map((_, index) => metricsJson(series.get(JSON.stringify(group.group))?.get(index))),
    })),
    next_cursor: more ? encodeCursor({ o: offset + limit }) : null,
  };
}

async function spendTop(context: AdminContext): Promise<unknown> {
  const { range, timeZone, from, to } = scopeOf(context);
  const groupText = context.query.string('group_by');
  if (groupText === undefined) throw badParam('group_by', `required: the dimension to rank (${dimensionHelp})`);
  const groupBy = parseDimension(groupText, 'group_by');
  const n = context.query.integer('n', { min: 1, max: 1_000, fallback: 10 });
  const top = spendGroups(context.deps.db, { range, groupBy, limit: n, offset: 0 });
  const [total] = spendGroups(context.deps.db, { range, groupBy: null, limit: 1, offset: 0 });
  const totalCost = total?.costUsd ?? 0;
  return {
    from: formatLocal(from, timeZone),
    to: formatLocal(to, timeZone),
    tz: timeZone,
    group_by: dimensionText(groupBy),
    total_cost_usd: totalCost,
    data: top.map((group, index) => ({ rank: index + 1, group: group.group, share: totalCost > 0 ? group.costUsd / totalCost : 0, ...metricsJson(group) })),
  };
}

async function savings(context: AdminContext): Promise<unknown> {
  const { range, timeZone, from, to } = scopeOf(context);
  const db = context.deps.db;
  const sources = savingsBySource(db, range);
  const source = (name: string) => {
    const found = sources.find((row) => row.source === name);
    return { hits: found?.hits ?? 0, saved_usd: found?.savedUsd ?? 0 };
  };
  const byFeature = spendGroups(db, { range, groupBy: { kind: 'column', name: 'feature' }, limit: 1_000, offset: 0 });
  const routed = routingSavings(db, range);
  const shadow = routed.shadow;
  const routing = {
    ...servedJson(routed.served),
    auto: servedJson(routed.servedAuto),
    shadow: { decisions: shadow.decisions, would_save_usd: shadow.wouldSaveUsd, rows: shadow.rows, unpriced_rows: shadow.unpricedRows, cost_usd: shadow.costUsd, shadow_cost_usd: shadow.shadowCostUsd },
  };
  const bySource = { exact: source('exact'), semantic: source('semantic'), prompt_cache: source('prompt_cache'), routing };
  return {
    from: formatLocal(from, timeZone),
    to: formatLocal(to, timeZone),
    tz: timeZone,
    total_saved_usd: bySource.exact.saved_usd + bySource.semantic.saved_usd + bySource.prompt_cache.saved_usd + routing.saved_usd,
    by_source: bySource,
    by_feature: byFeature.map((row) => ({ feature: row.group, cost_usd: row.costUsd, cost_uncached_usd: row.costUncachedUsd, response_cache_saved_usd: row.responseCacheSavedUsd, prompt_cache_saved_usd: row.promptCacheSavedUsd, exact_hits: row.exactCacheHits, semantic_hits: row.semanticCacheHits })),
  };
}

const servedJson = (part: ServedRoutingSavings) => ({ decisions: part.decisions, saved_usd: part.savedUsd, rows: part.rows, unpriced_rows: part.unpricedRows, cost_usd: part.costUsd, baseline_usd: part.baselineUsd });

const sourceSchema = obj({ hits: int(), saved_usd: num() });
const routedFields = { decisions: int('Requests routing served as it decided (a rule, a tier header, jevons/auto).'), saved_usd: num('Σ(baseline_cost_usd - cost_total_usd) over rows with both known.'), rows: int(), unpriced_rows: int('Rows left out: tokens but the cost or the baseline cost unknown.'), cost_usd: num(), baseline_usd: num() };
const routingSavingsSchema = obj({
  ...routedFields,
  auto: obj(routedFields),
  shadow: obj({ decisions: int(), would_save_usd: num('Σ(cost_total_usd - shadow_cost_usd): shadow mode, not in total_saved_usd.'), rows: int(), unpriced_rows: int(), cost_usd: num(), shadow_cost_usd: num() }),
});

export const spendRoutes: AdminRoute[] = [
  {
    method: 'GET',
    path: '/spend',
    summary: 'Spend over time, grouped by a dimension',
    description: 'Totals over [from, to) and, per group (most expensive first, paginated), a dense series aligned with `buckets` (calendar buckets in tz; the first and last may be partial: rows outside [from, to) are never counted).',
    params: [...rangeParams, { name: 'interval', description: 'hour | day | week (from Monday) | month; default day.', schema: { type: 'string', enum: [...intervals] } }, { name: 'group_by', description: `${dimensionHelp}, or none (default).`, schema: str() }, filterParam, limitParam, cursorParam],
    response: obj({ from: str(), to: str(), tz: str(), interval: str(), group_by: nullable(str()), buckets: arr(obj({ start: str(), end: str() })), totals: ref('Metrics'), groups: arr(obj({ group: nullable(str()), totals: ref('Metrics'), series: arr(ref('Metrics')) })), next_cursor: nullable(str()) }),
    handle: spend,
  },
  {
    method: 'GET',
    path: '/spend/top',
    summary: 'Top-N groups of a dimension by cost',
    params: [...rangeParams, { name: 'group_by', description: `Required: ${dimensionHelp}.`, schema: dimensionSchema, required: true }, { name: 'n', description: 'How many groups, 1 to 1000 (default 10).', schema: { type: 'integer', minimum: 1, maximum: 1000 } }, filterParam],
    response: obj({ from: str(), to: str(), tz: str(), group_by: str(), total_cost_usd: num(), data: arr({ allOf: [ref('Metrics'), { type: 'object', properties: { rank: int(), group: nullable(str()), share: num('Share of total_cost_usd.') } }] }) }),
    handle: spendTop,
  },
  {
    method: 'GET',
    path: '/savings',
    summary: 'Money saved by each cache (and by routing), by source and by feature',
    description: 'Caches: cost_uncached_usd - cost_total_usd per ledger row. Routing: baseline_cost_usd - cost_total_usd over rows served as routing decided (docs/routing.md "Routing savings"); `routing.auto` is the part of jevons/auto calls, `routing.shadow` what shadow mode would have saved (not in the total).',
    params: [...rangeParams, filterParam],
    response: obj({ from: str(), to: str(), tz: str(), total_saved_usd: num(), by_source: obj({ exact: sourceSchema, semantic: sourceSchema, prompt_cache: sourceSchema, routing: routingSavingsSchema }), by_feature: arr(obj({ feature: nullable(str()), cost_usd: num(), cost_uncached_usd: num(), response_cache_saved_usd: num(), prompt_cache_saved_usd: num(), exact_hits: int(), semantic_hits: int() })) }),
    handle: savings,
  },
];
