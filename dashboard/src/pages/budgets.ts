/**
 * Budgets: each budget (per scope value) with its burn-down over the period: cumulative spend from the ledger
 * (/spend filtered by the budget's scope, in the budget's zone) against the limit and the even-pace line; then the
 * alerts (/alerts) and breaker trips. The headline "spent" is the budget's own figure from /budgets.
 */
import { api, type Params } from '../api.js';
import { chart, grid, usdAxis, usdTooltip } from '../charts.js';
import { card, h, section, table } from '../dom.js';
import { bucketLabel, dateTime, percent, usd } from '../format.js';
import type { PageContext } from '../page.js';
import type { Budget, GovernanceEvent, Page, SpendResponse } from '../types.js';

/** `team=search,tag.env=prod` → filter.team=search&filter.tag:env=prod (the scope string of /budgets). */
export function scopeFilters(scope: string | null): Params {
  const filters: Record<string, string> = {};
  for (const part of (scope ?? '').split(',').filter(Boolean)) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    const label = part.slice(0, at);
    filters[`filter.${label.startsWith('tag.') ? `tag:${label.slice(4)}` : label}`] = part.slice(at + 1);
  }
  return filters;
}

async function burnDown(budget: Budget): Promise<Node> {
  const limit = budget.limit_usd ?? 0;
  const short = budget.period === 'hourly' || budget.period === 'daily';
  const interval = short ? 'hour' : 'day';
  const now = Date.now();
  const end = budget.period_end === null ? now : Date.parse(budget.period_end);
  const body = await api<SpendResponse>('/spend', { from: budget.counted_from, to: new Date(Math.max(end, Date.parse(budget.counted_from) + 1)).toISOString(), interval, tz: budget.timezone, ...scopeFilters(budget.scope) });
  const series = body.groups[0]?.series ?? [];
  let running = 0;
  const cumulative = body.buckets.map((bucket, index) => {
    if (Date.parse(bucket.start) > now) return null;
    running += series[index]?.cost_usd ?? 0;
    return running;
  });
  const steps = Math.max(1, body.buckets.length);
  const pace = body.buckets.map((_, index) => (limit * (index + 1)) / steps);
  const title = `${budget.budget}${budget.scope ? ` (${budget.scope})` : ''}`;
  const shown = card(
    title,
    h('p', { class: 'budget-line', 'data-testid': 'budget-spent', 'data-usd': budget.spent_usd }, `${usd(budget.spent_usd)} spent of ${budget.limit_usd === null ? `${budget.limit_tokens ?? '–'} tokens` : usd(budget.limit_usd)} · ${percent(budget.utilisation)} · ${budget.period}, action ${budget.action}${budget.alerts_fired.length > 0 ? ` · alerts fired: ${budget.alerts_fired.join(', ')}` : ''}`),
    chart({
      label: `Burn-down of budget ${title}`,
      height: 220,
      testid: 'budget-chart',
      option: {
        grid: { ...grid, top: 40 },
        legend: { top: 0 },
        tooltip: usdTooltip,
        xAxis: { type: 'category', data: body.buckets.map((bucket) => bucketLabel(bucket.start, interval)) },
        yAxis: usdAxis,
        series: [
          { type: 'line', name: 'Spent', data: cumulative, areaStyle: { opacity: 0.15 }, showSymbol: false, connectNulls: false },
          { type: 'line', name: 'Even pace', data: pace, lineStyle: { type: 'dashed' }, showSymbol: false },
          ...(limit > 0 ? [{ type: 'line' as const, name: 'Limit', data: body.buckets.map(() => limit), lineStyle: { color: '#d64550' }, itemStyle: { color: '#d64550' }, showSymbol: false }] : []),
        ],
      },
    }),
  );
  shown.setAttribute('data-budget', budget.budget);
  return shown;
}

async function budgetCards(host: HTMLElement): Promise<Node> {
  const budgets = await api<Page<Budget>>('/budgets', { limit: '1000' });
  if (budgets.data.length === 0) return h('p', { class: 'empty' }, 'No budgets are configured (budgets: in jevons.yaml, docs/governance.md).');
  const grid2 = h('div', { class: 'columns' });
  host.append(grid2);
  await Promise.all(budgets.data.slice(0, 20).map((budget) => section(grid2, `Budget ${budget.budget}`, '/spend', () => burnDown(budget))));
  return h('p', { class: 'note' }, budgets.data.length > 20 ? `The first 20 of ${budgets.data.length} budget scopes are shown.` : `${budgets.data.length} budget scope(s).`);
}

function eventsTable(caption: string, events: GovernanceEvent[], timeZone: string): HTMLElement {
  return table({
    caption,
    columns: [
      { label: 'When', value: (event) => dateTime(event.at, timeZone) },
      { label: 'Kind', value: (event) => event.kind },
      { label: 'Name', value: (event) => event.name },
      { label: 'Scope', value: (event) => event.scope ?? '' },
      { label: 'Reason', value: (event) => event.reason },
      { label: 'Cost', numeric: true, value: (event) => (event.cost_usd === null ? '' : usd(event.cost_usd)) },
    ],
    rows: events,
  });
}

export async function budgetsPage(context: PageContext): Promise<void> {
  const cards = h('div', {});
  const events = h('div', { class: 'columns' });
  context.body.append(cards, events);
  await Promise.all([
    section(cards, 'Budgets', '/budgets', () => budgetCards(cards)),
    section(events, 'Alerts', '/alerts', async () => card('Alerts', eventsTable('Budget alerts and forecasts, newest first', (await api<Page<GovernanceEvent>>('/alerts', { limit: '50' })).data, context.timeZone))),
    section(events, 'Breaker trips', '/breakers/trips', async () => card('Breaker trips', eventsTable('Sessions stopped by a circuit breaker, newest first', (await api<Page<GovernanceEvent>>('/breakers/trips', { limit: '50' })).data, context.timeZone))),
  ]);
}
