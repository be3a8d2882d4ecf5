/**
 * Spend explorer: a stacked time series of cost by any dimension /spend accepts, with filters (AND across dimensions,
 * OR within one), range, interval and the shell's time zone; the table below lists every group shown with the
 * grand totals of the whole selection. The view lives in the fragment: #/spend?group_by=model&filter.feature=x.
 */
import { api } from '../api.js';
import { chart, grid, usdAxis, usdTooltip } from '../charts.js';
import { card, field, h, section, select, table } from '../dom.js';
import { addDays, bucketLabel, count, localDay, percent, usd } from '../format.js';
import type { PageContext } from '../page.js';
import type { Metrics, SpendResponse } from '../types.js';

export const dimensions = ['feature', 'model', 'customer', 'team', 'app', 'user', 'key', 'session', 'served_model', 'provider'];
const intervals = ['hour', 'day', 'week', 'month'];
const GROUPS_SHOWN = 10;

const groupName = (group: string | null) => group ?? '(none)';

function controls(context: PageContext, groupBy: string, interval: string, from: string, to: string): HTMLElement {
  const params = context.params;
  const update = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    next.set(name, value);
    context.navigate(next);
  };
  const groupChoices = ['none', ...dimensions, ...(groupBy.startsWith('tag:') ? [groupBy] : [])].map((value): [string, string] => [value, value === 'none' ? 'nothing (total)' : value]);
  const filterDimension = select({ name: 'filter-dimension', value: 'feature', choices: dimensions.map((value) => [value, value]), onChange: () => undefined });
  const filterValue = h('input', { name: 'filter-value', type: 'text', placeholder: 'value', 'aria-label': 'Filter value' });
  const addFilter = h('form', {
    class: 'inline',
    onsubmit: (event: Event) => {
      event.preventDefault();
      if (filterValue.value.trim() === '') return;
      const next = new URLSearchParams(params);
      next.append(`filter.${filterDimension.value}`, filterValue.value.trim());
      context.navigate(next);
    },
  }, field('Filter', filterDimension), filterValue, h('button', { type: 'submit' }, 'Add filter'));
  const chips = [...params.entries()]
    .filter(([name]) => name.startsWith('filter.'))
    .map(([name, value]) => h('button', {
      type: 'button',
      class: 'chip',
      'aria-label': `Remove filter ${name.slice(7)} = ${value}`,
      onclick: () => {
        const next = new URLSearchParams();
        for (const [otherName, otherValue] of params) if (otherName !== name || otherValue !== value) next.append(otherName, otherValue);
        context.navigate(next);
      },
    }, `${name.slice(7)} = ${value} ✕`));
  return h(
    'div',
    { class: 'controls' },
    field('Group by', select({ name: 'group_by', value: groupBy, choices: groupChoices, onChange: (value) => update('group_by', value) })),
    field('Interval', select({ name: 'interval', value: interval, choices: intervals.map((value) => [value, value]), onChange: (value) => update('interval', value) })),
    field('From', h('input', { type: 'date', name: 'from', value: from, onchange: (event: Event) => update('from', (event.target as HTMLInputElement).value) })),
    field('To (exclusive)', h('input', { type: 'date', name: 'to', value: to, onchange: (event: Event) => update('to', (event.target as HTMLInputElement).value) })),
    addFilter,
    chips.length > 0 ? h('div', { class: 'chips', 'data-testid': 'filters' }, ...chips) : null,
  );
}

function totalsRow(label: string, metrics: Metrics, share: string): Array<Node | string> {
  return [label, count(metrics.requests), count(metrics.tokens.input + metrics.tokens.cache_read + metrics.tokens.cache_write_5m + metrics.tokens.cache_write_1h), count(metrics.tokens.output), h('span', { 'data-testid': 'spend-total', 'data-usd': metrics.cost_usd }, usd(metrics.cost_usd)), share];
}

async function results(context: PageContext, query: Record<string, string | string[] | undefined>, interval: string): Promise<Node> {
  const body = await api<SpendResponse>('/spend', { ...query, limit: String(GROUPS_SHOWN) });
  const total = body.totals.cost_usd;
  const stacked = body.groups.map((group) => ({ type: 'bar' as const, stack: 'cost', name: groupName(group.group), emphasis: { focus: 'series' as const }, data: group.series.map((metrics) => metrics.cost_usd) }));
  const figure = chart({
    label: `Spend by ${body.group_by ?? 'total'} per ${interval}`,
    testid: 'spend-chart',
    option: { grid: { ...grid, top: 48 }, legend: { type: 'plain', top: 0 }, tooltip: usdTooltip, xAxis: { type: 'category', data: body.buckets.map((bucket) => bucketLabel(bucket.start, interval)) }, yAxis: usdAxis, series: stacked },
  });
  const rows = table({
    caption: `By ${body.group_by ?? 'total'}, ${body.from.slice(0, 16)} to ${body.to.slice(0, 16)} (${body.tz})`,
    testid: 'spend-table',
    columns: [
      { label: body.group_by ?? 'total', value: (group) => groupName(group.group) },
      { label: 'Requests', numeric: true, value: (group) => count(group.totals.requests) },
      { label: 'Input tokens', numeric: true, value: (group) => count(group.totals.tokens.input + group.totals.tokens.cache_read + group.totals.tokens.cache_write_5m + group.totals.tokens.cache_write_1h) },
      { label: 'Output tokens', numeric: true, value: (group) => count(group.totals.tokens.output) },
      { label: 'Cost', numeric: true, value: (group) => usd(group.totals.cost_usd) },
      { label: 'Share', numeric: true, value: (group) => percent(total > 0 ? group.totals.cost_usd / total : 0) },
    ],
    rows: body.groups,
    footer: totalsRow('Total (all groups)', body.totals, total > 0 ? '100%' : '–'),
  });
  const note = body.next_cursor !== null ? h('p', { class: 'note' }, `The ${GROUPS_SHOWN} most expensive groups are shown; the total covers all of them.`) : null;
  const unpriced = body.totals.unpriced_rows > 0 ? h('p', { class: 'note' }, `${count(body.totals.unpriced_rows)} rows have no price: their cost is unknown and not counted.`) : null;
  return h('div', {}, card('Spend over time', figure), card('Totals', rows, note, unpriced));
}

export async function spendPage(context: PageContext): Promise<void> {
  const params = context.params;
  const groupBy = params.get('group_by') ?? 'feature';
  const interval = params.get('interval') ?? 'day';
  const { today } = localDay(context.timeZone);
  const to = params.get('to') ?? addDays(today, 1);
  const from = params.get('from') ?? addDays(to, -30);
  const query: Record<string, string | string[] | undefined> = { group_by: groupBy, interval, from, to, tz: context.timeZone };
  for (const name of new Set([...params.keys()].filter((key) => key.startsWith('filter.')))) query[name] = params.getAll(name);
  context.body.append(controls(context, groupBy, interval, from, to));
  await section(context.body, 'Spend', '/spend', () => results(context, query, interval));
}
