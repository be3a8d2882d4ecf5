/**
 * Waste and savings: money lost to retries, loops, breaker-stopped sessions and uncached prefixes (/waste) and money
 * saved by each cache and by routing (/savings), as bars by kind, with the savings per feature.
 */
import { api } from '../api.js';
import { chart, grid, usdAxis, usdTooltip } from '../charts.js';
import { card, h, section, stat, table } from '../dom.js';
import { count, usd } from '../format.js';
import type { PageContext } from '../page.js';
import type { SavingsResponse, WasteKind, WasteResponse } from '../types.js';

const labels: Record<string, string> = { retries: 'Retries', loop_repeats: 'Loop repeats', breaker_sessions: 'Breaker-stopped sessions', uncached_prefixes: 'Uncached prefixes', exact_cache: 'Exact cache', semantic_cache: 'Semantic cache', prompt_cache: 'Prompt caching', routing: 'Routing' };
const label = (kind: string) => labels[kind] ?? kind;

function kindBars(title: string, kinds: WasteKind[], color: string, testid: string): HTMLElement {
  return chart({ label: title, height: 240, testid, option: { grid, tooltip: usdTooltip, xAxis: { type: 'category', data: kinds.map((kind) => label(kind.kind)), axisLabel: { interval: 0 } }, yAxis: usdAxis, series: [{ type: 'bar', name: title, itemStyle: { color }, data: kinds.map((kind) => kind.usd) }] } });
}

async function waste(context: PageContext): Promise<Node> {
  const body = await api<WasteResponse>('/waste', { tz: context.timeZone });
  const stopped = body.stopped_by_breakers;
  return card(
    'Waste (30 days)',
    h('div', { class: 'stats' }, stat('Wasted', usd(body.totals.waste_usd), { usd: body.totals.waste_usd, testid: 'waste-total', note: body.totals.overlap_usd > 0 ? `${usd(body.totals.overlap_usd)} counted in two kinds` : undefined }), stat('Stopped by breakers', `${count(stopped.trips)} trips`, { note: `${count(stopped.sessions)} sessions, ${usd(stopped.usd)} before the trip` })),
    kindBars('Waste by kind', body.waste, '#d64550', 'waste-chart'),
    table({ caption: 'Waste by kind and cause', columns: [{ label: 'Kind', value: (row) => label(row.kind) }, { label: 'Count', numeric: true, value: (row) => count(row.count) }, { label: 'Cost', numeric: true, value: (row) => usd(row.usd) }, { label: 'Causes', value: (row) => row.breakdown.map((part) => `${part.key}: ${usd(part.usd)}`).join(', ') }], rows: body.waste }),
  );
}

async function savings(context: PageContext): Promise<Node> {
  const body = await api<SavingsResponse>('/savings', { tz: context.timeZone });
  const sources = body.by_source;
  const bars: WasteKind[] = [
    { kind: 'exact_cache', usd: sources.exact.saved_usd, count: sources.exact.hits, unpriced: 0, breakdown: [] },
    { kind: 'semantic_cache', usd: sources.semantic.saved_usd, count: sources.semantic.hits, unpriced: 0, breakdown: [] },
    { kind: 'prompt_cache', usd: sources.prompt_cache.saved_usd, count: sources.prompt_cache.hits, unpriced: 0, breakdown: [] },
    { kind: 'routing', usd: sources.routing.saved_usd, count: sources.routing.decisions, unpriced: 0, breakdown: [] },
  ];
  return card(
    'Savings (30 days)',
    h('div', { class: 'stats' }, stat('Saved', usd(body.total_saved_usd), { usd: body.total_saved_usd, testid: 'savings-total' })),
    kindBars('Savings by source', bars, '#2aa876', 'savings-chart'),
    table({
      caption: 'Savings by feature',
      testid: 'savings-table',
      columns: [
        { label: 'Feature', value: (row) => row.feature ?? '(none)' },
        { label: 'Cost', numeric: true, value: (row) => usd(row.cost_usd) },
        { label: 'Without caching', numeric: true, value: (row) => usd(row.cost_uncached_usd) },
        { label: 'Response cache', numeric: true, value: (row) => usd(row.response_cache_saved_usd) },
        { label: 'Prompt cache', numeric: true, value: (row) => usd(row.prompt_cache_saved_usd) },
      ],
      rows: body.by_feature,
    }),
    h('p', { class: 'note' }, 'Routing saves nothing here until the router records its decisions in the ledger.'),
  );
}

export async function wastePage(context: PageContext): Promise<void> {
  const columns = h('div', { class: 'columns' });
  context.body.append(columns);
  await Promise.all([section(columns, 'Waste', '/waste', () => waste(context)), section(columns, 'Savings', '/savings', () => savings(context))]);
}
