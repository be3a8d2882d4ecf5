/** A few DOM helpers: element creation, cards, tables, loading / error / "not available" states. */
import { ApiError, isMissingEndpoint } from './api.js';

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

export function card(title: string, ...children: Child[]): HTMLElement {
  return h('section', { class: 'card' }, h('h2', {}, title), ...children);
}

/** A big number with a label; `usd` (raw value) is kept in data-usd so tests can compare with the ledger. */
export function stat(label: string, value: string, options: { usd?: number | null; note?: string; testid?: string } = {}): HTMLElement {
  return h('div', { class: 'stat', 'data-testid': options.testid, 'data-usd': options.usd ?? undefined }, h('div', { class: 'stat-label' }, label), h('div', { class: 'stat-value' }, value), options.note ? h('div', { class: 'stat-note' }, options.note) : null);
}

export interface Column<T> {
  label: string;
  value: (row: T) => Child;
  numeric?: boolean;
}

export function table<T>(options: { caption: string; columns: Column<T>[]; rows: T[]; footer?: Child[]; testid?: string; rowClass?: (row: T) => string | undefined }): HTMLElement {
  const head = h('tr', {}, ...options.columns.map((column) => h('th', { scope: 'col', class: column.numeric ? 'num' : undefined }, column.label)));
  const body = options.rows.map((row) => h('tr', { class: options.rowClass?.(row) }, ...options.columns.map((column) => h('td', { class: column.numeric ? 'num' : undefined }, column.value(row)))));
  const foot = options.footer ? h('tfoot', {}, h('tr', {}, ...options.footer.map((cell, index) => h(index === 0 ? 'th' : 'td', { class: index > 0 ? 'num' : undefined, scope: index === 0 ? 'row' : undefined }, cell)))) : null;
  const empty = options.rows.length === 0 ? h('p', { class: 'empty' }, 'Nothing in this range.') : null;
  return h('div', { class: 'table-wrap', 'data-testid': options.testid }, h('table', {}, h('caption', {}, options.caption), h('thead', {}, head), h('tbody', {}, ...body), foot), empty);
}

export function errorBox(error: unknown, context: string): HTMLElement {
  const detail = error instanceof ApiError ? `${error.message} (${error.code}${error.status > 0 ? `, HTTP ${error.status}` : ''})` : error instanceof Error ? error.message : String(error);
  return h('div', { class: 'error', role: 'alert', 'data-testid': 'error' }, h('strong', {}, `${context}: `), detail);
}

export function notAvailable(what: string, endpoint: string): HTMLElement {
  return h('div', { class: 'unavailable', role: 'status', 'data-testid': 'not-available' }, h('strong', {}, `${what} is not available on this gateway. `), `It needs GET /admin/v1${endpoint}, which this version of Jevons does not serve.`);
}

/** Renders a section that loads on its own: a placeholder, then the content, "not available" or the error. */
export async function section(host: HTMLElement, context: string, endpoint: string, load: () => Promise<Node>): Promise<void> {
  const slot = h('div', { class: 'loading', 'aria-busy': 'true' }, 'Loading…');
  host.append(slot);
  try {
    slot.replaceWith(await load());
  } catch (error) {
    slot.replaceWith(isMissingEndpoint(error) ? notAvailable(context, endpoint) : errorBox(error, context));
  }
}

export function field(label: string, control: HTMLElement): HTMLElement {
  return h('label', { class: 'field' }, h('span', {}, label), control);
}

export function select(options: { name: string; value: string; choices: Array<[string, string]>; onChange: (value: string) => void }): HTMLSelectElement {
  const element = h('select', { name: options.name, onchange: () => options.onChange(element.value) }, ...options.choices.map(([value, label]) => h('option', { value, selected: value === options.value }, label)));
  return element;
}
