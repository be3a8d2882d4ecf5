/**
 * The dashboard end to end: the dashboard is built, a gateway with an admin token runs in front of the emulator, the
 * demo's traffic goes through it, then Debian's Chromium (driven by playwright-core) opens every page. Checked: each
 * page renders its charts (SVG with drawn shapes) and reaches data-state="ready"; the totals shown equal the ledger;
 * a filter changes what is shown; no console errors; a screenshot per page in test-artifacts/dashboard/. The first
 * load of the overview is timed and logged.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usd } from '../../dashboard/src/format.js';
import { demoControlPlane, demoModels, recordDemoOutcomes } from '../../src/cli/commands/demo.js';
import { ledgerRow } from '../../src/stores/sqlite/__fixtures__/ledger-rows.js';
import { demoCalls, driveTraffic } from '../../src/cli/commands/demo-traffic.js';
import { startStack, type Stack } from '../support/stack.js';

const TOKEN = 'dashboard-e2e-token';
const CHROMIUM = '/usr/bin/chromium';
const artifacts = join(process.cwd(), 'test-artifacts', 'dashboard');
const pages = [
  { path: '/', name: 'overview', charts: ['overview-chart'] },
  { path: '/spend', name: 'spend', charts: ['spend-chart'] },
  { path: '/budgets', name: 'budgets', charts: ['budget-chart'] },
  { path: '/customers', name: 'customers', charts: ['customers-chart'] },
  { path: '/forecast', name: 'forecast', charts: ['forecast-chart'] },
  { path: '/waste', name: 'waste', charts: ['savings-chart', 'waste-chart'] },
  { path: '/requests', name: 'requests', charts: [] },
];

let stack: Stack;
let dir: string;
let db: Database;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Admin routes this gateway serves (from its OpenAPI document): a page may show "not available" for the others. */
let served: Set<string>;
const consoleErrors: string[] = [];
let outcomes: { successes: number; failures: number };

/**
 * The demo's traffic is a few seconds old; the forecast and the trends need days. Four weeks of rows before today
 * (three requests a day, a weekly pattern), ending yesterday, give them a history.
 */
function history(now: number): ReturnType<typeof ledgerRow>[] {
  const features = ['support-chat', 'code-review', 'order-agent'];
  const customers = ['acme', 'globex', 'initech'];
  const today = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate());
  return Array.from({ length: 28 * 3 }, (_, index) => {
    const daysBack = Math.floor(index / 3) + 1;
    const at = today - daysBack * 86_400_000 + 10 * 3_600_000 + (index % 3) * 60_000;
    const cost = 0.002 + (index % 3) * 0.001 + (new Date(at).getUTCDay() % 6 === 0 ? 0 : 0.002);
    return ledgerRow({ id: `history-${index}`, requestId: `history-${index}`, startedAt: at, firstByteAt: at + 200, endedAt: at + 900, costTotalUsd: cost, costUncachedUsd: cost, attribution: { keyId: null, team: null, app: null, user: null, tags: {}, feature: features[index % 3], customer: customers[(index + daysBack) % 3], session: `history-${daysBack}` } });
  });
}

const ledgerCost = (where = '1 = 1', ...params: unknown[]): number => (db.prepare(`SELECT TOTAL(cost_total_usd) AS cost FROM ledger WHERE ${where}`).get(...params) as { cost: number }).cost;

/**
 * The few browser globals the page-side functions below use: the project's TypeScript config has no DOM types, and the
 * page's Content-Security-Policy forbids evaluating strings, so they are functions that cast globalThis.
 */
interface InPage {
  location: { hash: string };
  document: { querySelector(selector: string): { getAttribute(name: string): string | null; removeAttribute(name: string): void } | null; documentElement: { scrollWidth: number } };
  innerWidth: number;
  dispatchEvent(event: unknown): boolean;
  HashChangeEvent: new (type: string) => unknown;
  sessionStorage: { getItem(key: string): string | null };
}

/** Goes to a page of the open dashboard and waits until it has rendered (the state is cleared first: no stale "ready"). */
async function open(hash: string, on: Page = page): Promise<void> {
  await on.evaluate((target) => {
    const w = globalThis as unknown as InPage;
    w.document.querySelector('main')?.removeAttribute('data-state');
    if (w.location.hash === target) w.dispatchEvent(new w.HashChangeEvent('hashchange'));
    else w.location.hash = target;
  }, hash);
  await on.waitForFunction((target) => {
    const w = globalThis as unknown as InPage;
    return w.location.hash === target && (w.document.querySelector('main')?.getAttribute('data-state') ?? '') !== '';
  }, hash, { timeout: 10_000 });
}

/** Resolves once the fragment contains `part` and the page has rendered. */
const readyWith = (part: string) =>
  page.waitForFunction((wanted) => {
    const w = globalThis as unknown as InPage;
    return w.location.hash.includes(wanted) && w.document.querySelector('main')?.getAttribute('data-state') === 'ready';
  }, part, { timeout: 10_000 });

const usdOf = async (selector: string): Promise<number> => Number(await page.locator(selector).first().getAttribute('data-usd'));

/** Shapes drawn in the chart's SVG (axes included; an empty chart has only a handful). */
const shapesIn = (testid: string) => page.locator(`[data-testid="${testid}"] svg path, [data-testid="${testid}"] svg rect`).count();

beforeAll(async () => {
  // The dashboard under test is built from the current sources (about a second).
  execFileSync(process.execPath, ['dashboard/build.mjs'], { stdio: 'pipe' });
  mkdirSync(artifacts, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'jevons-dashboard-'));
  const path = join(dir, 'ledger.db');
  stack = await startStack({
    env: { JEVONS_ADMIN_TOKEN: TOKEN },
    config: (emulator) => ({
      storage: { path, flush_interval_ms: 10 },
      admin: { timezone: 'UTC' },
      ...demoModels(emulator.url),
      ...demoControlPlane,
    }),
  });
  await driveTraffic({ gatewayUrl: stack.gateway.url, calls: demoCalls() });
  outcomes = await recordDemoOutcomes(stack.gateway);
  await stack.gateway.ledger.append(history(Date.now()));
  await stack.gateway.writer.flush();
  db = new BetterSqlite3(path, { readonly: true });
  const openapi = (await (await fetch(`${stack.gateway.url}/admin/v1/openapi.json`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { paths: Record<string, unknown> };
  served = new Set(Object.keys(openapi.paths));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // A route this gateway does not serve yet is a 404 the page turns into a "not available" state: allowed.
    const url = message.location().url;
    const route = url.includes('/admin/v1/') ? new URL(url).pathname.replace('/admin/v1', '') : null;
    if (route !== null && !served.has(route) && message.text().includes('404')) return;
    consoleErrors.push(`${message.text()} (${url})`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
}, 60_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  db?.close();
  await stack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('dashboard', () => {
  it('loads the overview from the demo link (token in the fragment), logs the first load time, then drops the token from the URL', async () => {
    const started = performance.now();
    await page.goto(`${stack.gateway.url}/dashboard/#token=${TOKEN}`);
    await page.waitForSelector('main[data-page="/"][data-state="ready"]', { timeout: 10_000 });
    const elapsed = performance.now() - started;
    const inPage = await page.evaluate(() => performance.now());
    console.log(`dashboard first load (overview, demo data): ${elapsed.toFixed(0)} ms to ready (goto → data loaded and charts drawn); ${inPage.toFixed(0)} ms since navigation start in the page`);
    // The < 1 s target is measured and reported (docs/dashboard.md), not asserted: a timed assertion on a shared
    // machine fails for reasons that are not the dashboard's. This bound only catches a page that never settles.
    expect(elapsed).toBeLessThan(5_000);
    expect(page.url()).not.toContain(TOKEN);
    expect(await page.evaluate(() => (globalThis as unknown as InPage).sessionStorage.getItem('jevons.adminToken'))).toBe(TOKEN);
  }, 20_000);

  it('renders every page with its charts and no error, and keeps a screenshot of each', async () => {
    for (const { path, name, charts } of pages) {
      await open(`#${path}`);
      expect(await page.locator('main').getAttribute('data-state'), name).toBe('ready');
      expect(await page.locator('[data-testid="error"]').count(), name).toBe(0);
      for (const testid of charts) {
        const available = (await page.locator(`[data-testid="${testid}"]`).count()) > 0;
        if (!available) {
          // Only a page whose endpoint this gateway lacks may show the "not available" state instead of a chart.
          expect(await page.locator('[data-testid="not-available"]').count(), `${name}: ${testid}`).toBeGreaterThan(0);
          continue;
        }
        expect(await shapesIn(testid), `${name}: ${testid}`).toBeGreaterThan(5);
      }
      await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
    }
    expect(existsSync(join(artifacts, 'overview.png'))).toBe(true);
  }, 40_000);

  it('shows totals equal to the ledger on the overview and in the spend explorer', async () => {
    const all = ledgerCost();
    expect(all).toBeGreaterThan(0);
    await open('#/');
    const now = new Date();
    const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    const month = ledgerCost('started_at >= ?', monthStart);
    expect(await usdOf('[data-testid="spend-month"]')).toBeCloseTo(month, 12);
    await expect.poll(() => page.locator('[data-testid="spend-month"] .stat-value').textContent()).toBe(usd(month));
    await open('#/spend?group_by=model');
    expect(await usdOf('[data-testid="spend-total"]')).toBeCloseTo(all, 12);
    expect(await page.locator('[data-testid="spend-total"]').textContent()).toBe(usd(all));
    await open('#/budgets');
    const spent = page.locator('[data-budget="code-review-monthly"] [data-testid="budget-spent"]');
    expect(Number(await spent.getAttribute('data-usd'))).toBeCloseTo(ledgerCost("started_at >= ? AND feature = 'code-review'", monthStart), 12);
  }, 30_000);

  it('shows cost per successful outcome, whales and a forecast from that data', async () => {
    expect(outcomes.successes).toBeGreaterThan(0);
    await open('#/');
    // Spend of every request in the 30 days / successes (the demo marks answers of support-chat only).
    expect(await usdOf('[data-testid="cost-per-success"]')).toBeCloseTo(ledgerCost() / outcomes.successes, 12);
    await open('#/customers');
    // globex's starter plan costs $0.02 a month: its LLM cost is above half of that, so it is a whale.
    expect(await page.locator('[data-testid="whales-table"] tr.whale').allTextContents()).toEqual([expect.stringContaining('globex')]);
    await open('#/forecast');
    // The history makes a run rate above zero, so the fan opens above the axis.
    expect(await usdOf('[data-testid="run-rate"]')).toBeGreaterThan(0);
    expect(await shapesIn('forecast-chart')).toBeGreaterThan(5);
  }, 30_000);

  it('changes what is shown when a filter is added in the spend explorer and in the request log', async () => {
    await open('#/spend?group_by=model');
    const before = await page.locator('[data-testid="spend-total"]').textContent();
    await page.selectOption('select[name="filter-dimension"]', 'feature');
    await page.fill('input[name="filter-value"]', 'code-review');
    await page.click('button:has-text("Add filter")');
    await readyWith('filter.feature=code-review');
    const filtered = ledgerCost('feature = ?', 'code-review');
    expect(await usdOf('[data-testid="spend-total"]')).toBeCloseTo(filtered, 12);
    expect(await page.locator('[data-testid="spend-total"]').textContent()).not.toBe(before);
    expect(await page.locator('[data-testid="filters"] .chip').count()).toBe(1);
    expect(await shapesIn('spend-chart')).toBeGreaterThan(5);

    await open('#/requests');
    const everything = await page.locator('[data-testid="requests-table"] tbody tr').count();
    await page.fill('input[name="feature"]', 'weekly-report');
    await page.click('[data-testid="request-filters"] button[type="submit"]');
    await readyWith('feature=weekly-report');
    const rows = page.locator('[data-testid="requests-table"] tbody tr');
    const expected = (db.prepare("SELECT COUNT(*) AS n FROM ledger WHERE feature = 'weekly-report'").get() as { n: number }).n;
    expect(await rows.count()).toBe(expected);
    expect(await rows.count()).toBeLessThan(everything);
    for (const cell of await rows.locator('td:nth-child(2)').allTextContents()) expect(cell).toBe('weekly-report');
  }, 30_000);

  it('fits a phone-width screen without horizontal scrolling', async () => {
    // The same tab (the token is kept per tab, in sessionStorage), narrowed to a phone's width.
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const { path, name } of pages.slice(0, 2)) {
        await open(`#${path}`);
        expect(await page.evaluate(() => (globalThis as unknown as InPage).document.documentElement.scrollWidth <= (globalThis as unknown as InPage).innerWidth + 1), name).toBe(true);
        await page.screenshot({ path: join(artifacts, `${name}-phone.png`), fullPage: true });
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  }, 20_000);

  it('asks for the token when none is stored, and says so when the token is wrong', async () => {
    const fresh = await browser.newContext();
    try {
      const signIn = await fresh.newPage();
      await signIn.goto(`${stack.gateway.url}/`);
      await signIn.waitForSelector('main[data-state="signin"]');
      expect(signIn.url()).toContain('/dashboard/');
      await signIn.fill('input[name="token"]', 'wrong-token');
      await signIn.click('button[type="submit"]');
      await signIn.waitForSelector('main[data-state="signin"] .error');
      expect(await signIn.locator('.error').textContent()).toContain('401');
    } finally {
      await fresh.close();
    }
  }, 20_000);

  it('logged no console errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
