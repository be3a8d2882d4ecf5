/**
 * The dashboard shell: token (fragment or sign-in form, kept in sessionStorage), the time-zone picker, and a hash
 * router (#/spend?group_by=model&filter.feature=x) over the pages. Each page renders into <main>; when it has finished
 * (data loaded, charts drawn) <main> gets data-state="ready" (or "error"), which the e2e test waits for.
 */
import { api, ApiError, clearToken, getToken, setToken, takeTokenFromFragment } from './api.js';
import { chartsDrawn, disposeCharts, loadCharts } from './charts.js';
import { errorBox, h, select } from './dom.js';
import type { PageContext, PageRender } from './page.js';
import { budgetsPage } from './pages/budgets.js';
import { customersPage } from './pages/customers.js';
import { forecastPage } from './pages/forecast.js';
import { overviewPage } from './pages/overview.js';
import { requestsPage } from './pages/requests.js';
import { spendPage } from './pages/spend.js';
import { wastePage } from './pages/waste.js';
import type { TopResponse } from './types.js';

const pages: Array<{ path: string; title: string; render: PageRender }> = [
  { path: '/', title: 'Overview', render: overviewPage },
  { path: '/spend', title: 'Spend explorer', render: spendPage },
  { path: '/budgets', title: 'Budgets', render: budgetsPage },
  { path: '/customers', title: 'Customers & whales', render: customersPage },
  { path: '/forecast', title: 'Forecast', render: forecastPage },
  { path: '/waste', title: 'Waste & savings', render: wastePage },
  { path: '/requests', title: 'Request log', render: requestsPage },
];

const TZ_KEY = 'jevons.tz';
const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
let timeZone = sessionStorage.getItem(TZ_KEY) ?? '';
let generation = 0;

const nav = h('nav', { class: 'nav', 'aria-label': 'Pages' });
const main = h('main', { id: 'main', tabindex: '-1' });
const tools = h('div', { class: 'tools' });

function parseHash(): { path: string; params: URLSearchParams } {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path = '/', query = ''] = hash.split('?', 2);
  return { path: path.startsWith('/') ? path : `/${path}`, params: new URLSearchParams(query) };
}

function hrefOf(path: string, params?: URLSearchParams): string {
  const query = params?.toString() ?? '';
  return `#${path}${query === '' ? '' : `?${query}`}`;
}

function renderNav(current: string): void {
  nav.replaceChildren(...pages.map((page) => h('a', { href: hrefOf(page.path), 'aria-current': page.path === current ? 'page' : undefined }, page.title)));
}

function renderTools(): void {
  const zone = select({ name: 'tz', value: timeZone, choices: [...new Set([timeZone, browserZone, 'UTC'])].filter(Boolean).map((name) => [name, name]), onChange: (value) => { timeZone = value; sessionStorage.setItem(TZ_KEY, value); void route(); } });
  zone.setAttribute('aria-label', 'Time zone');
  // The full list (~400 zones) is built on first use, not on the first load.
  const fill = () => {
    if (typeof Intl.supportedValuesOf !== 'function' || zone.options.length > 3) return;
    const known = new Set([...zone.options].map((option) => option.value));
    zone.append(...Intl.supportedValuesOf('timeZone').filter((name) => !known.has(name)).map((name) => h('option', { value: name }, name)));
  };
  zone.addEventListener('focus', fill);
  zone.addEventListener('pointerdown', fill);
  const signOut = h('button', { type: 'button', class: 'link', onclick: () => { clearToken(); void start(); } }, 'Sign out');
  tools.replaceChildren(h('label', { class: 'tz' }, h('span', {}, 'Time zone'), zone), signOut);
}

const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

async function route(): Promise<void> {
  const mine = ++generation;
  const { path, params } = parseHash();
  const page = pages.find((candidate) => candidate.path === path) ?? pages[0];
  if (page === undefined) return;
  renderNav(page.path);
  disposeCharts();
  document.title = `${page.title} · Jevons`;
  main.removeAttribute('data-state');
  main.setAttribute('data-page', page.path);
  const body = h('div', { class: 'page' });
  main.replaceChildren(h('h1', {}, page.title), body);
  const context: PageContext = {
    body,
    params,
    timeZone,
    navigate: (next) => {
      const target = hrefOf(page.path, next);
      if (location.hash === target) void route();
      else location.hash = target;
    },
    isCurrent: () => mine === generation,
  };
  try {
    await page.render(context);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return showSignIn('The admin API refused the token (401). Paste the admin token again.');
    body.append(errorBox(error, page.title));
  }
  await chartsDrawn();
  await nextFrame();
  if (mine === generation) main.setAttribute('data-state', main.querySelector('.error') ? 'error' : 'ready');
}

function showSignIn(message?: string): void {
  const input = h('input', { type: 'password', name: 'token', autocomplete: 'off', required: true, 'aria-label': 'Admin token' });
  const form = h(
    'form',
    { class: 'signin card', onsubmit: (event: Event) => { event.preventDefault(); setToken(input.value.trim()); void start(); } },
    h('h1', {}, 'Jevons dashboard'),
    h('p', {}, 'Paste the admin token (the value of JEVONS_ADMIN_TOKEN on the gateway). It is kept in this tab only.'),
    message ? h('p', { class: 'error', role: 'alert' }, message) : null,
    h('label', { class: 'field' }, h('span', {}, 'Admin token'), input),
    h('button', { type: 'submit' }, 'Open the dashboard'),
  );
  nav.replaceChildren();
  tools.replaceChildren();
  main.setAttribute('data-state', 'signin');
  main.replaceChildren(form);
  input.focus();
}

/** Checks the token and learns the gateway's default zone (admin.timezone) when none was chosen in this tab. */
async function start(): Promise<void> {
  if (getToken() === null) return showSignIn();
  try {
    const asked = api<TopResponse>('/spend/top', { group_by: 'provider', n: '1', tz: timeZone || undefined });
    // echarts (its own chunk, preloaded) is evaluated while the probe is in flight, not before it is sent.
    void loadCharts();
    const probe = await asked;
    if (timeZone === '') timeZone = probe.tz;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return showSignIn('The admin API refused the token (401).');
    if (error instanceof ApiError && error.status === 503) return void main.replaceChildren(errorBox(error, 'The admin API is disabled'));
    if (timeZone === '') timeZone = browserZone;
  }
  renderTools();
  await route();
}

takeTokenFromFragment();
document.body.replaceChildren(h('a', { class: 'skip', href: '#main', onclick: (event: Event) => { event.preventDefault(); main.focus(); } }, 'Skip to content'), h('header', { class: 'top' }, h('a', { class: 'brand', href: '#/' }, 'Jevons'), nav, tools), main);
window.addEventListener('hashchange', () => {
  takeTokenFromFragment();
  if (getToken() !== null) void route();
});
void start();
