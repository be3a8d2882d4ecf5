/**
 * Forecast (/forecast): the actual daily spend followed by the fan of scenarios (conservative / expected / aggressive,
 * multiples of the run rate) and the baseline band, for the total or one feature; the month and quarter projections;
 * and the day each budget would run out under each scenario.
 */
import { api } from '../api.js';
import { chart, grid, usdAxis, usdTooltip } from '../charts.js';
import { card, field, h, section, select, stat, table } from '../dom.js';
import { bucketLabel, usd } from '../format.js';
import type { PageContext } from '../page.js';
import type { ForecastPeriod, ForecastResponse, ForecastSeries } from '../types.js';

const scenarios = ['conservative', 'expected', 'aggressive'] as const;

function fanChart(series: ForecastSeries): HTMLElement {
  const days = [...series.actual.map((point) => point.day), ...series.fan.map((point) => point.day)];
  const pad = (values: Array<number | null>, before: number) => [...Array.from({ length: before }, () => null), ...values];
  const history = series.actual.length;
  const last = series.actual.at(-1)?.usd ?? null;
  // Each scenario line starts at the last actual day so the fan visibly opens from the history.
  const scenarioLine = (name: (typeof scenarios)[number], color: string) => ({ type: 'line' as const, name, showSymbol: false, lineStyle: { color, type: 'dashed' as const }, itemStyle: { color }, data: [...pad([], history - 1), last, ...series.fan.map((point) => point[`${name}_usd`])] });
  return chart({
    label: `Daily spend and forecast scenarios for ${series.feature ?? series.series}`,
    height: 320,
    testid: 'forecast-chart',
    option: {
      grid: { ...grid, top: 48 },
      legend: { top: 0, data: ['actual', 'baseline', 'baseline range', ...scenarios] },
      tooltip: usdTooltip,
      xAxis: { type: 'category', data: days.map((day) => bucketLabel(day, 'day')) },
      yAxis: usdAxis,
      series: [
        { type: 'line', name: 'band low', stack: 'band', showSymbol: false, lineStyle: { opacity: 0 }, data: pad(series.fan.map((point) => point.low_usd), history) },
        // The band is stacked: an invisible low line, then (high − low) filled on top of it.
        { type: 'line', name: 'baseline range', stack: 'band', showSymbol: false, lineStyle: { opacity: 0 }, areaStyle: { color: 'rgba(47,111,223,0.15)' }, data: pad(series.fan.map((point) => point.high_usd - point.low_usd), history) },
        { type: 'line', name: 'actual', showSymbol: false, lineStyle: { width: 2, color: '#1d2433' }, itemStyle: { color: '#1d2433' }, data: series.actual.map((point) => point.usd) },
        { type: 'line', name: 'baseline', showSymbol: false, lineStyle: { color: '#2f6fdf' }, itemStyle: { color: '#2f6fdf' }, data: pad(series.fan.map((point) => point.baseline_usd), history) },
        scenarioLine('conservative', '#2aa876'),
        scenarioLine('expected', '#e8833a'),
        scenarioLine('aggressive', '#d64550'),
      ],
    },
  });
}

function periodStats(title: string, period: ForecastPeriod): HTMLElement {
  return h('div', {}, h('h3', {}, `${title} (${period.start} to ${period.end})`), h('div', { class: 'stats' }, stat('Spent so far', usd(period.actual_usd)), ...scenarios.map((name) => stat(`${name} (${period.scenarios[name].multiplier}×)`, usd(period.scenarios[name].total_usd), { note: `${usd(period.scenarios[name].daily_usd)}/day` }))));
}

async function forecast(context: PageContext): Promise<Node> {
  const body = await api<ForecastResponse>('/forecast', { tz: context.timeZone });
  const wanted = context.params.get('series') ?? 'total';
  const chosen = body.series.find((series) => (series.series === 'total' ? 'total' : `feature:${series.feature ?? ''}`) === wanted) ?? body.series[0];
  if (chosen === undefined) return h('p', { class: 'empty' }, 'No history to forecast from yet.');
  const picker = select({
    name: 'series',
    value: wanted,
    choices: body.series.map((series): [string, string] => (series.series === 'total' ? ['total', 'All spend'] : [`feature:${series.feature ?? ''}`, `Feature ${series.feature ?? '(none)'}`])),
    onChange: (value) => context.navigate(new URLSearchParams({ series: value })),
  });
  const budgets = table({
    caption: 'When each budget runs out under each scenario (– = not within the period)',
    columns: [
      { label: 'Budget', value: (row) => `${row.budget}${row.scope ? ` (${row.scope})` : ''}` },
      { label: 'Limit', numeric: true, value: (row) => (row.limit_usd === undefined ? '–' : usd(row.limit_usd)) },
      ...scenarios.map((name) => ({ label: name, value: (row: (typeof body.budgets)[number]) => (row.forecast ? (row.scenarios?.[name].runs_out_on ?? '–') : (row.reason ?? 'not forecast')) })),
    ],
    rows: body.budgets,
  });
  return h('div', {}, card(`Forecast as of ${body.as_of}`, field('Series', picker), h('p', { class: 'note', 'data-testid': 'run-rate', 'data-usd': chosen.run_rate_usd_per_day }, `Run rate ${usd(chosen.run_rate_usd_per_day)} per day.`), fanChart(chosen), periodStats('This month', chosen.month), periodStats('This quarter', chosen.quarter)), card('Budgets', budgets));
}

export async function forecastPage(context: PageContext): Promise<void> {
  await section(context.body, 'The forecast', '/forecast', () => forecast(context));
}
