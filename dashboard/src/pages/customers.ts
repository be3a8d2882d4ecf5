/**
 * Customers and inference whales. Margin this month per customer (plan price − month-to-date LLM cost, from
 * /customers and /plans), then the whale report (/whales): customers whose cost exceeds a share of what their plan
 * pays, highlighted, with the heaviest sessions behind each.
 */
import { api } from '../api.js';
import { chart, grid, usdAxis, usdTooltip } from '../charts.js';
import { card, h, section, stat, table } from '../dom.js';
import { count, localDay, percent, usd } from '../format.js';
import type { PageContext } from '../page.js';
import type { Customer, Page, Plan, WhaleCustomer, WhalesResponse } from '../types.js';

async function margins(context: PageContext): Promise<Node> {
  const { monthStart } = localDay(context.timeZone);
  const [customers, plans] = await Promise.all([api<Page<Customer>>('/customers', { from: monthStart, tz: context.timeZone, limit: '1000' }), api<Page<Plan>>('/plans', { limit: '1000' })]);
  const price = new Map(plans.data.map((plan) => [plan.name, plan.monthly_price_usd]));
  const rows = customers.data.map((customer) => {
    const revenue = customer.plan === null ? null : (price.get(customer.plan) ?? null);
    return { ...customer, revenue, margin: revenue === null ? null : revenue - customer.cost_usd };
  }).sort((a, b) => b.cost_usd - a.cost_usd);
  const shown = rows.slice(0, 30);
  return card(
    `Margin this month (since ${monthStart})`,
    // Plan prices are often orders of magnitude above LLM cost: the chart shows cost, red where it exceeds the price.
    chart({
      label: 'LLM cost per customer this month; red: above the plan price',
      testid: 'customers-chart',
      option: {
        grid,
        tooltip: usdTooltip,
        xAxis: { type: 'category', data: shown.map((row) => row.customer), axisLabel: { interval: 0, rotate: shown.length > 8 ? 30 : 0 } },
        yAxis: usdAxis,
        series: [{ type: 'bar', name: 'LLM cost', data: shown.map((row) => ({ value: row.cost_usd, itemStyle: { color: row.margin !== null && row.margin < 0 ? '#d64550' : '#2f6fdf' } })) }],
      },
    }),
    table({
      caption: 'Customers by cost this month; customers without a plan have no revenue to compare',
      testid: 'customers-table',
      columns: [
        { label: 'Customer', value: (row) => row.customer },
        { label: 'Plan', value: (row) => row.plan ?? 'no plan' },
        { label: 'Requests', numeric: true, value: (row) => count(row.requests) },
        { label: 'Cost', numeric: true, value: (row) => usd(row.cost_usd) },
        { label: 'Plan price', numeric: true, value: (row) => (row.revenue === null ? '–' : usd(row.revenue)) },
        { label: 'Margin', numeric: true, value: (row) => (row.margin === null ? '–' : h('span', { class: row.margin < 0 ? 'negative' : undefined }, usd(row.margin))) },
      ],
      rows,
    }),
  );
}

function sessionsOf(customer: WhaleCustomer): Node {
  if (customer.heaviest_sessions.length === 0) return document.createTextNode('–');
  return h('ul', { class: 'plain small' }, ...customer.heaviest_sessions.map((session) => h('li', {}, `${session.session}: ${usd(session.cost_usd)} (${count(session.requests)} req.)`)));
}

async function whales(context: PageContext): Promise<Node> {
  const body = await api<WhalesResponse>('/whales', { tz: context.timeZone, limit: '200' });
  const totals = body.totals;
  return card(
    `Inference whales, ${body.month}`,
    h('div', { class: 'stats' }, stat('Whales', count(totals.whales), { note: `cost above ${percent(body.whale_share)} of the plan price` }), stat('Plan revenue', usd(totals.revenue_usd)), stat('LLM cost', usd(totals.cost_usd)), stat('Cost without a plan', usd(totals.cost_of_customers_without_plan_usd), { note: `${count(totals.customers_without_plan)} customers` })),
    table({
      caption: 'Customers by cost; whales highlighted',
      testid: 'whales-table',
      rowClass: (row) => (row.is_whale ? 'whale' : undefined),
      columns: [
        { label: 'Customer', value: (row) => (row.is_whale ? h('span', {}, h('strong', {}, row.customer), ' ', h('span', { class: 'badge' }, 'whale')) : row.customer) },
        { label: 'Plan', value: (row) => row.plan ?? row.plan_status },
        { label: 'Cost', numeric: true, value: (row) => usd(row.cost_usd) },
        { label: 'Revenue', numeric: true, value: (row) => (row.revenue_usd === null ? '–' : usd(row.revenue_usd)) },
        { label: 'Margin', numeric: true, value: (row) => (row.margin_usd === null ? '–' : h('span', { class: row.margin_usd < 0 ? 'negative' : undefined }, `${usd(row.margin_usd)} (${percent(row.margin_pct)})`)) },
        { label: 'vs last month', numeric: true, value: (row) => `${row.trend.change_usd >= 0 ? '+' : ''}${usd(row.trend.change_usd)}` },
        { label: 'Heaviest sessions', value: sessionsOf },
      ],
      rows: body.data,
    }),
  );
}

export async function customersPage(context: PageContext): Promise<void> {
  await Promise.all([section(context.body, 'Customers', '/customers', () => margins(context)), section(context.body, 'Inference whales', '/whales', () => whales(context))]);
}
