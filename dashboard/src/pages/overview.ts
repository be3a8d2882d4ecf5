/** Overview: spend today and this month against the budgets, cost per outcome, savings, and a small spend chart. */
import { api } from '../api.js';
import { chart, grid, usdAxis, usdTooltip } from '../charts.js';
import { card, h, section, stat } from '../dom.js';
import { bucketLabel, count, localDay, percent, usd } from '../format.js';
import type { PageContext } from '../page.js';
import type { Budget, OutcomesResponse, Page, SavingsResponse, SpendResponse } from '../types.js';

async function spendCards(context: PageContext): Promise<Node> {
  const { today, monthStart } = localDay(context.timeZone);
  const month = await api<SpendResponse>('/spend', { from: monthStart, interval: 'day', tz: context.timeZone });
  const series = month.groups[0]?.series ?? [];
  const todayIndex = month.buckets.findIndex((bucket) => bucket.start.startsWith(today));
  const todayCost = todayIndex >= 0 ? (series[todayIndex]?.cost_usd ?? 0) : 0;
  const totals = month.totals;
  return h(
    'div',
    { class: 'stats' },
    stat('Spend today', usd(todayCost), { usd: todayCost, testid: 'spend-today', note: today }),
    stat('Spend this month', usd(totals.cost_usd), { usd: totals.cost_usd, testid: 'spend-month', note: `${count(totals.requests)} requests since ${monthStart}` }),
    stat('Saved by caching', usd(totals.savings.total_usd), { usd: totals.savings.total_usd, testid: 'saved-month', note: 'this month' }),
    stat('Errors', count(totals.errors), { note: totals.unpriced_rows > 0 ? `${count(totals.unpriced_rows)} unpriced rows (cost unknown)` : 'this month' }),
  );
}

async function budgetBars(): Promise<Node> {
  const budgets = await api<Page<Budget>>('/budgets', { limit: '1000' });
  if (budgets.data.length === 0) return card('Budgets', h('p', { class: 'empty' }, 'No budgets are configured (budgets: in jevons.yaml).'));
  const rows = budgets.data
    .filter((budget) => budget.limit_usd !== null)
    .sort((a, b) => (b.utilisation ?? 0) - (a.utilisation ?? 0))
    .slice(0, 6)
    .map((budget) => {
      const used = Math.min(1, budget.utilisation ?? 0);
      const level = used >= 0.9 ? 'danger' : used >= 0.7 ? 'warn' : 'ok';
      return h(
        'li',
        { class: 'budget-bar' },
        h('div', { class: 'budget-bar-label' }, h('strong', {}, budget.budget), budget.scope ? ` ${budget.scope}` : '', ` · ${budget.period}`),
        h('div', { class: 'meter', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': Math.round(used * 100), 'aria-label': `${budget.budget} used` }, h('div', { class: `meter-fill ${level}`, style: `width:${(used * 100).toFixed(1)}%` })),
        h('div', { class: 'budget-bar-value' }, `${usd(budget.spent_usd)} of ${usd(budget.limit_usd)} (${percent(budget.utilisation)})`),
      );
    });
  return card('Budgets', h('ul', { class: 'plain' }, ...rows), h('a', { href: '#/budgets' }, 'All budgets →'));
}

async function outcomes(context: PageContext): Promise<Node> {
  const body = await api<OutcomesResponse>('/outcomes', { tz: context.timeZone, group_by: 'feature' });
  const total = body.total;
  return card(
    'Cost per outcome (30 days)',
    h('div', { class: 'stats' }, stat('Cost per success', usd(total.cost_per_success_usd), { usd: total.cost_per_success_usd, testid: 'cost-per-success', note: `${count(total.successes)} successes, ${count(total.failures)} failures` }), stat('Success rate', percent(total.success_rate), { note: `${count(total.requests)} requests, ${usd(total.spend_usd)}` })),
    total.successes + total.failures === 0 ? h('p', { class: 'empty' }, 'No outcomes recorded yet: POST /v1/jevons/outcomes or the x-jevons-outcome header (docs/outcomes.md).') : null,
  );
}

async function savings(context: PageContext): Promise<Node> {
  const body = await api<SavingsResponse>('/savings', { tz: context.timeZone });
  const sources = body.by_source;
  return card('Savings (30 days)', h('div', { class: 'stats' }, stat('Total saved', usd(body.total_saved_usd), { usd: body.total_saved_usd, testid: 'saved-30d' }), stat('Prompt caching', usd(sources.prompt_cache.saved_usd), { note: `${count(sources.prompt_cache.hits)} calls` }), stat('Response cache', usd(sources.exact.saved_usd + sources.semantic.saved_usd), { note: `${count(sources.exact.hits + sources.semantic.hits)} answers` })));
}

async function spendChart(context: PageContext): Promise<Node> {
  const body = await api<SpendResponse>('/spend', { interval: 'day', tz: context.timeZone });
  const series = body.groups[0]?.series ?? [];
  return card(
    'Spend, last 30 days',
    chart({
      label: 'Daily spend over the last 30 days',
      height: 220,
      testid: 'overview-chart',
      option: { grid, tooltip: usdTooltip, xAxis: { type: 'category', data: body.buckets.map((bucket) => bucketLabel(bucket.start, 'day')) }, yAxis: usdAxis, series: [{ type: 'bar', name: 'Spend', data: series.map((metrics) => metrics.cost_usd) }] },
    }),
  );
}

export async function overviewPage(context: PageContext): Promise<void> {
  const top = h('div', {});
  const grid2 = h('div', { class: 'columns' });
  context.body.append(top, grid2);
  const left = h('div', {});
  const right = h('div', {});
  grid2.append(left, right);
  await Promise.all([
    section(top, 'Spend', '/spend', () => spendCards(context)),
    section(left, 'Spend over time', '/spend', () => spendChart(context)),
    section(left, 'Savings', '/savings', () => savings(context)),
    section(right, 'Budgets', '/budgets', budgetBars),
    section(right, 'Cost per outcome', '/outcomes', () => outcomes(context)),
  ]);
}
