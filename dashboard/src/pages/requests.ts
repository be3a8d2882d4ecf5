/**
 * Request log (/requests): ledger rows newest first, metadata only (never prompt or response content), with filters
 * on model, feature, customer, status and cache source, and keyset pages (Next / Newer).
 */
import { api } from '../api.js';
import { card, field, h, section, select, table } from '../dom.js';
import { count, dateTime, usd } from '../format.js';
import type { PageContext } from '../page.js';
import type { Page, RequestRow } from '../types.js';

const PAGE_SIZE = '50';
const textFilters = ['model', 'feature', 'customer'] as const;
/** Cursors of the pages before the current one, so "Newer" can go back (keyset cursors only go forward). */
const previous: string[] = [];

function filterForm(context: PageContext): HTMLElement {
  const inputs = textFilters.map((name) => h('input', { type: 'text', name, value: context.params.get(name) ?? '', placeholder: 'any' }));
  const status = select({ name: 'status', value: context.params.get('status') ?? '', choices: [['', 'any'], ['ok', 'ok'], ['error', 'error'], ['429', '429'], ['500', '500'], ['529', '529']], onChange: () => undefined });
  const cache = select({ name: 'cache_source', value: context.params.get('cache_source') ?? '', choices: [['', 'any'], ['none', 'upstream call'], ['exact', 'exact cache'], ['semantic', 'semantic cache']], onChange: () => undefined });
  return h(
    'form',
    {
      class: 'controls',
      'data-testid': 'request-filters',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const next = new URLSearchParams();
        textFilters.forEach((name, index) => {
          const value = inputs[index]?.value.trim() ?? '';
          if (value !== '') next.set(name, value);
        });
        if (status.value !== '') next.set('status', status.value);
        if (cache.value !== '') next.set('cache_source', cache.value);
        previous.length = 0;
        context.navigate(next);
      },
    },
    ...textFilters.map((name, index) => field(name[0]?.toUpperCase() + name.slice(1), inputs[index] as HTMLElement)),
    field('Status', status),
    field('Cache', cache),
    h('button', { type: 'submit' }, 'Apply'),
  );
}

async function log(context: PageContext): Promise<Node> {
  const params = context.params;
  const query = Object.fromEntries(['model', 'feature', 'customer', 'status', 'cache_source', 'cursor'].map((name) => [name, params.get(name) ?? undefined]));
  const body = await api<Page<RequestRow>>('/requests', { ...query, tz: context.timeZone, limit: PAGE_SIZE });
  const go = (cursor: string | null) => {
    const next = new URLSearchParams(params);
    if (cursor === null) next.delete('cursor');
    else next.set('cursor', cursor);
    context.navigate(next);
  };
  const pager = h(
    'nav',
    { class: 'pager', 'aria-label': 'Pages of the request log' },
    h('button', { type: 'button', disabled: previous.length === 0, onclick: () => go(previous.pop() || null) }, '← Newer'),
    h('button', { type: 'button', disabled: body.next_cursor === null, onclick: () => { previous.push(params.get('cursor') ?? ''); go(body.next_cursor); } }, 'Older →'),
  );
  return card(
    'Requests',
    table({
      caption: `Ledger rows, newest first (${body.data.length} on this page; times in ${context.timeZone})`,
      testid: 'requests-table',
      columns: [
        { label: 'Started', value: (row) => dateTime(row.started_at, context.timeZone) },
        { label: 'Feature', value: (row) => row.attribution.feature ?? '' },
        { label: 'Customer', value: (row) => row.attribution.customer ?? '' },
        { label: 'Model', value: (row) => (row.served_model && row.served_model !== row.model ? `${row.model} → ${row.served_model}` : row.model) },
        { label: 'Provider', value: (row) => row.provider },
        { label: 'Status', value: (row) => h('span', { class: row.status >= 400 ? 'negative' : undefined }, `${row.status}${row.error_code ? ` ${row.error_code}` : ''}${row.attempt > 1 ? ` (attempt ${row.attempt})` : ''}`) },
        { label: 'Cache', value: (row) => row.cache_source ?? '' },
        { label: 'Tokens in / out', numeric: true, value: (row) => `${count(row.tokens.input + row.tokens.cache_read)} / ${count(row.tokens.output)}` },
        { label: 'Latency', numeric: true, value: (row) => `${count(row.latency_ms)} ms` },
        { label: 'Cost', numeric: true, value: (row) => (row.cost_usd === null ? 'unpriced' : usd(row.cost_usd)) },
      ],
      rows: body.data,
    }),
    pager,
  );
}

export async function requestsPage(context: PageContext): Promise<void> {
  if (!context.params.has('cursor')) previous.length = 0;
  context.body.append(filterForm(context));
  await section(context.body, 'Request log', '/requests', () => log(context));
}
