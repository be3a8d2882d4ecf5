/**
 * The admin API end to end: a gateway on loopback in front of the emulator, live traffic plus ledger rows appended at
 * known instants (around the Europe/Paris spring-forward of 2026-03-29), governance events written to the same
 * database, then every endpoint: numbers against the ledger, auth failures, bad parameters, pagination, time zones.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../../src/spec/config/load-config.js';
import type { LedgerRow } from '../../src/spec/ledger.js';
import { adminRoutes, createAdminApi } from '../../src/server/admin/admin-api.js';
import { createLogger } from '../../src/server/logger.js';
import { ledgerRow } from '../../src/stores/sqlite/__fixtures__/ledger-rows.js';
import { seedPlans, listPlans, listCustomerPlans } from '../../src/stores/sqlite/admin-plans.js';
import { createSqliteEventStore } from '../../src/stores/sqlite/event-store.js';
import { openSqliteStores } from '../../src/stores/sqlite/index.js';
import { startStack, type Stack } from '../support/stack.js';

const TOKEN = 'admin-secret-token';
const at = (iso: string) => Date.parse(iso);
let stack: Stack;
let dir: string;
let db: Database;

type Json = Record<string, unknown> & { error?: { code: string; message: string; param: string | null } };

async function call(path: string, init: { method?: string; body?: unknown; token?: string | null; base?: string } = {}): Promise<{ status: number; body: Json; headers: Headers }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? TOKEN}`;
  const response = await fetch(`${init.base ?? stack.gateway.url}/admin/v1${path}`, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  return { status: response.status, body: (await response.json()) as Json, headers: response.headers };
}
const get = async (path: string) => (await call(path)).body;
const num = (value: unknown): number => value as number;
const list = (body: Json) => body.data as Json[];

const row = (id: string, startedAt: string, extra: Parameters<typeof ledgerRow>[0] = {}): LedgerRow => ledgerRow({ id, requestId: id, startedAt: at(startedAt), firstByteAt: null, endedAt: at(startedAt) + 500, ...extra });

// Paris: CET (+01:00) until 2026-03-29 02:00 local, then CEST (+02:00).
const seeded: LedgerRow[] = [
  row('r1', '2026-03-28T23:30:00Z', { costTotalUsd: 1, costUncachedUsd: 1.5, attribution: { team: 'search', feature: 'qa', customer: 'acme' } }), // Paris 03-29 00:30, UTC 03-28
  row('r2', '2026-03-29T22:30:00Z', { costTotalUsd: 0, costUncachedUsd: 0.8, cacheSource: 'exact', attribution: { team: 'ads', feature: 'qa', customer: 'beta' } }), // Paris 03-30 00:30, UTC 03-29
  row('r3', '2026-03-29T12:00:00Z', { costTotalUsd: 0.25, costUncachedUsd: 0.25, attribution: { team: 'search', feature: 'summarise', customer: 'acme', tags: { env: 'staging' } } }),
  row('r4', '2026-03-29T13:00:00Z', { requestedModel: 'mystery', costTotalUsd: null, costUncachedUsd: null, priceRef: null, attribution: { team: 'search', feature: 'qa', customer: 'acme' } }),
  { ...row('r5a', '2026-03-29T14:00:00Z', { status: 503, errorCode: 'upstream_error', inputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 0, reasoningTokens: 0, costTotalUsd: null, costUncachedUsd: null, attribution: { team: 'ads', feature: 'qa', customer: 'gamma' } }), requestId: 'req-5', attempt: 1 },
  { ...row('r5b', '2026-03-29T14:00:01Z', { costTotalUsd: 0.5, costUncachedUsd: 0.5, attribution: { team: 'ads', feature: 'qa', customer: 'gamma' } }), requestId: 'req-5', attempt: 2 },
];
const march = 'from=2026-03-28&to=2026-03-31';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jevons-admin-'));
  const path = join(dir, 'ledger.db');
  stack = await startStack({
    env: { JEVONS_ADMIN_TOKEN: TOKEN },
    config: {
      storage: { path, flush_interval_ms: 10 },
      admin: { timezone: 'UTC' },
      budgets: [{ name: 'monthly-all', scope: {}, period: 'monthly', limit_usd: 1000 }],
      plans: [{ name: 'pro', monthly_price_usd: 99, included_usage_usd: 20 }],
      customers: { acme: 'pro' },
    },
  });
  for (let index = 0; index < 3; index += 1) {
    const response = await fetch(`${stack.openaiBaseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-jevons-feature': 'live', 'x-jevons-team': 'live-team' }, body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `hello ${index}` }] }) });
    expect(response.status).toBe(200);
    await response.text();
  }
  await stack.gateway.writer.flush();
  await stack.gateway.ledger.append(seeded);
  db = new BetterSqlite3(path);
  await createSqliteEventStore(db).append([
    { id: 'e1', at: at('2026-03-29T10:00:00Z'), kind: 'budget_alert', name: 'monthly-all', scope: '', session: null, requestId: null, reason: '70% of limit', costUsd: 700, details: { threshold: 0.7 } },
    { id: 'e2', at: at('2026-03-29T11:00:00Z'), kind: 'breaker_trip', name: 'loops', scope: null, session: 's-1', requestId: 'r3', reason: 'loop detected', costUsd: 0.25, details: {} },
    { id: 'e3', at: at('2026-03-29T12:00:00Z'), kind: 'rate_limited', name: 'rpm', scope: 'team=ads', session: null, requestId: 'r2', reason: 'rpm', costUsd: null, details: {} },
  ]);
}, 30_000);

afterAll(async () => {
  db?.close();
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('authentication', () => {
  it('refuses a missing token, a wrong one and a virtual key with 401', async () => {
    expect((await call('/spend', { token: null })).status).toBe(401);
    const wrong = await call('/spend', { token: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error?.code).toBe('unauthenticated');
    const created = await call('/keys', { method: 'POST', body: { name: 'virtual' } });
    const secret = created.body.secret as string;
    expect(secret).toMatch(/^jv-/);
    expect((await call('/spend', { token: secret })).status).toBe(401);
    // The virtual key itself works on the model routes' auth layer only; the admin API never looks keys up.
    expect((await call('/keys', { token: secret })).status).toBe(401);
  });

  it('answers 503 naming the variable when no admin token is set', async () => {
    // Its own database: creating an admin API seeds plans from its (empty) config.
    const stores = openSqliteStores({ path: ':memory:' });
    const handler = createAdminApi({ db: stores.db, keys: stores.keys, budgets: [], admin: { token_env: 'MY_ADMIN_TOKEN', timezone: 'UTC' }, token: undefined, plans: [], customers: {}, now: Date.now, logger: createLogger({ level: 'silent' }), maxBodyBytes: 1_000 });
    const server: Server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const disabled = await call('/spend', { base });
      expect(disabled.status).toBe(503);
      expect(disabled.body.error?.message).toContain('admin API disabled: set');
      expect(disabled.body.error?.message).toContain('MY_ADMIN_TOKEN');
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await stores.close();
    }
  });

  it('does not go through the model pipeline (no ledger row) and routes unknown paths and methods', async () => {
    const before = db.prepare('SELECT COUNT(*) AS n FROM ledger').get() as { n: number };
    expect((await call('/nope')).status).toBe(404);
    const wrongMethod = await call('/spend', { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
    expect((await call('/spend')).status).toBe(200);
    await stack.gateway.writer.flush();
    expect(db.prepare('SELECT COUNT(*) AS n FROM ledger').get()).toEqual(before);
  });
});

describe('GET /spend', () => {
  it('totals equal the ledger for live traffic over the default range', async () => {
    const body = await get('/spend?group_by=feature&filter.feature=live');
    const ledger = db.prepare("SELECT TOTAL(cost_total_usd) AS cost, COUNT(*) AS n, TOTAL(input_tokens) AS input FROM ledger WHERE feature = 'live'").get() as { cost: number; n: number; input: number };
    const totals = body.totals as Json;
    expect(ledger.n).toBe(3);
    expect(totals.cost_usd).toBeCloseTo(ledger.cost, 12);
    expect(totals.requests).toBe(3);
    expect((totals.tokens as Json).input).toBe(ledger.input);
    expect((body.groups as Json[]).map((group) => group.group)).toEqual(['live']);
    expect((body.buckets as Json[]).length).toBeGreaterThanOrEqual(30);
  });

  it('buckets days in the requested time zone across the spring-forward change', async () => {
    const paris = await get(`/spend?${march}&tz=Europe/Paris&interval=day`);
    const buckets = paris.buckets as Json[];
    expect(buckets.map((bucket) => bucket.start)).toEqual(['2026-03-28T00:00:00+01:00', '2026-03-29T00:00:00+01:00', '2026-03-30T00:00:00+02:00']);
    const series = ((paris.groups as Json[])[0]?.series as Json[]).map((point) => point.cost_usd);
    expect(series).toEqual([0, 1.75, 0]);
    const utc = await get(`/spend?${march}&tz=UTC&interval=day`);
    expect(((utc.groups as Json[])[0]?.series as Json[]).map((point) => point.cost_usd)).toEqual([1, 0.75, 0]);
    expect((paris.totals as Json).cost_usd).toBe(1.75);
    const hours = await get('/spend?from=2026-03-29&to=2026-03-30&tz=Europe/Paris&interval=hour');
    expect((hours.buckets as Json[]).length).toBe(23);
    const fallBack = await get('/spend?from=2026-10-25&to=2026-10-26&tz=Europe/Paris&interval=hour');
    const starts = (fallBack.buckets as Json[]).map((bucket) => bucket.start);
    expect(starts.length).toBe(25);
    expect(starts).toContain('2026-10-25T02:00:00+02:00');
    expect(starts).toContain('2026-10-25T02:00:00+01:00');
  });

  it('groups, filters, counts unpriced rows, savings and pages over groups without gaps', async () => {
    const byTeam = await get(`/spend?${march}&group_by=team`);
    const groups = byTeam.groups as Json[];
    expect(groups.map((group) => [group.group, (group.totals as Json).cost_usd, (group.totals as Json).rows, (group.totals as Json).requests])).toEqual([
      ['search', 1.25, 3, 3],
      ['ads', 0.5, 3, 2],
    ]);
    expect(((groups[0]?.totals as Json).unpriced_rows)).toBe(1);
    const savings = (byTeam.totals as Json).savings as Json;
    expect(savings.response_cache_usd).toBeCloseTo(0.8, 12);
    expect(savings.prompt_cache_usd).toBeCloseTo(0.5, 12);
    const first = await get(`/spend?${march}&group_by=team&limit=1`);
    expect((first.groups as Json[]).map((group) => group.group)).toEqual(['search']);
    const second = await get(`/spend?${march}&group_by=team&limit=1&cursor=${first.next_cursor as string}`);
    expect((second.groups as Json[]).map((group) => group.group)).toEqual(['ads']);
    expect(second.next_cursor).toBeNull();
    expect(((await get(`/spend?${march}&filter.team=search&filter.feature=qa`)).totals as Json).cost_usd).toBe(1);
    expect(((await get(`/spend?${march}&filter.team=search&filter.team=ads`)).totals as Json).cost_usd).toBe(1.75);
    const staging = await get(`/spend?${march}&filter.tag:env=staging&group_by=tag:env`);
    expect((staging.totals as Json).cost_usd).toBe(0.25);
    expect((staging.groups as Json[])[0]?.group).toBe('staging');
    const served = await get(`/spend?${march}&group_by=served_model`);
    expect((served.groups as Json[]).map((group) => group.group)).toEqual(['gpt-4o-2024-08-06']);
  });

  it('ranks the top groups with their share', async () => {
    const top = await get(`/spend/top?${march}&group_by=customer&n=2`);
    expect((top.data as Json[]).map((entry) => [entry.rank, entry.group, entry.cost_usd])).toEqual([[1, 'acme', 1.25], [2, 'gamma', 0.5]]);
    expect(num((top.data as Json[])[0]?.share)).toBeCloseTo(1.25 / 1.75, 12);
  });
});

describe('GET /savings', () => {
  it('splits savings by source and by feature, with routing at 0', async () => {
    const body = await get(`/savings?${march}`);
    const bySource = body.by_source as Record<string, Json>;
    expect(bySource.exact).toEqual({ hits: 1, saved_usd: 0.8 });
    expect(bySource.semantic).toEqual({ hits: 0, saved_usd: 0 });
    expect(bySource.prompt_cache?.saved_usd).toBeCloseTo(0.5, 12);
    const noRouting = { decisions: 0, saved_usd: 0, rows: 0, unpriced_rows: 0, cost_usd: 0, baseline_usd: 0 };
    expect(bySource.routing).toEqual({ ...noRouting, auto: noRouting, shadow: { decisions: 0, would_save_usd: 0, rows: 0, unpriced_rows: 0, cost_usd: 0, shadow_cost_usd: 0 } });
    expect(num(body.total_saved_usd)).toBeCloseTo(1.3, 12);
    const qa = (body.by_feature as Json[]).find((entry) => entry.feature === 'qa');
    expect(qa?.response_cache_saved_usd).toBeCloseTo(0.8, 12);
  });
});

describe('GET /requests', () => {
  it('lists metadata newest first with filters, and the attempts of one request', async () => {
    const all = list(await get(`/requests?${march}&limit=100`));
    expect(all.map((entry) => entry.id)).toEqual(['r2', 'r5b', 'r5a', 'r4', 'r3', 'r1']);
    expect(Object.keys(all[0] ?? {})).not.toContain('messages');
    expect(list(await get('/requests?status=error&from=2026-03-01')).map((entry) => entry.id)).toEqual(['r5a']);
    expect(list(await get('/requests?status=503')).map((entry) => entry.id)).toEqual(['r5a']);
    expect(list(await get('/requests?cache_source=exact')).map((entry) => entry.id)).toEqual(['r2']);
    expect(list(await get('/requests?model=mystery')).map((entry) => [entry.id, entry.cost_usd])).toEqual([['r4', null]]);
    expect(list(await get('/requests?customer=gamma&feature=qa')).map((entry) => entry.id)).toEqual(['r5b', 'r5a']);
    const attempts = await get('/requests/req-5');
    expect((attempts.attempts as Json[]).map((entry) => [entry.attempt, entry.status])).toEqual([[1, 503], [2, 200]]);
    expect((await call('/requests/nope')).status).toBe(404);
  });

  it('pages with a keyset cursor: no duplicates and no gaps, even when rows arrive between pages', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const body: Json = await get(`/requests?limit=2${cursor === null ? '' : `&cursor=${cursor}`}`);
      seen.push(...list(body).map((entry) => entry.id as string));
      cursor = body.next_cursor as string | null;
      if (pages === 0) await stack.gateway.ledger.append([row('late', new Date(Date.now() + 60_000).toISOString(), { attribution: { feature: 'late' } })]);
      pages += 1;
    } while (cursor !== null);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).not.toContain('late');
    const expected = (db.prepare("SELECT id FROM ledger WHERE id != 'late' ORDER BY started_at DESC, id DESC").all() as Array<{ id: string }>).map((r) => r.id);
    expect(seen).toEqual(expected);
  });
});

describe('events', () => {
  it('lists alerts, breaker trips and filtered events with pagination', async () => {
    expect(list(await get('/alerts')).map((event) => event.id)).toEqual(['e1']);
    expect(list(await get('/breakers/trips')).map((event) => [event.id, event.session])).toEqual([['e2', 's-1']]);
    expect(list(await get('/events?kind=rate_limited&kind=breaker_trip')).map((event) => event.id)).toEqual(['e3', 'e2']);
    const page1 = await get('/events?limit=2');
    const page2 = await get(`/events?limit=2&cursor=${page1.next_cursor as string}`);
    expect([...list(page1), ...list(page2)].map((event) => event.id)).toEqual(['e3', 'e2', 'e1']);
    expect(page2.next_cursor).toBeNull();
    expect(list(await get('/events?from=2026-03-29T10:30:00Z&to=2026-03-29T11:30:00Z')).map((event) => event.id)).toEqual(['e2']);
  });
});

describe('budgets', () => {
  it('shows live state equal to the ledger, applies overrides and resets', async () => {
    const [entry] = list(await get('/budgets'));
    const ledger = db.prepare('SELECT TOTAL(cost_total_usd) AS cost FROM ledger WHERE started_at >= ? AND started_at < ?').get(Date.parse(entry?.period_start as string), Date.parse(entry?.period_end as string)) as { cost: number };
    expect(entry?.budget).toBe('monthly-all');
    expect(entry?.spent_usd).toBeCloseTo(ledger.cost, 12);
    expect(num(entry?.spent_usd)).toBeGreaterThan(0);
    const put = await call('/budgets/monthly-all', { method: 'PUT', body: { limit_usd: 5 } });
    expect(put.status).toBe(200);
    expect(list(put.body)[0]).toMatchObject({ limit_usd: 5, overridden: true });
    const reset = await call('/budgets/monthly-all/reset', { method: 'POST', body: {} });
    expect(reset.status).toBe(200);
    expect(list(reset.body)[0]?.counted_from).toBe(reset.body.counted_from);
    expect((await call('/budgets/nope', { method: 'PUT', body: { limit_usd: 5 } })).status).toBe(404);
    const empty = await call('/budgets/monthly-all', { method: 'PUT', body: {} });
    expect([empty.status, empty.body.error?.param]).toEqual([400, 'limit_usd']);
    const negative = await call('/budgets/monthly-all', { method: 'PUT', body: { limit_usd: -1 } });
    expect([negative.status, negative.body.error?.param]).toEqual([400, 'limit_usd']);
    const badScope = await call('/budgets/monthly-all/reset', { method: 'POST', body: { scope: 'team=x' } });
    expect([badScope.status, badScope.body.error?.param]).toEqual([400, 'scope']);
  });
});

describe('keys', () => {
  it('creates (secret once), lists and revokes keys', async () => {
    const created = await call('/keys', { method: 'POST', body: { name: 'svc', team: 'search', customer: 'acme' } });
    expect(created.status).toBe(201);
    const key = created.body.key as Json;
    expect(key).toMatchObject({ name: 'svc', team: 'search', customer: 'acme', status: 'active' });
    const listed = list(await get('/keys'));
    const found = listed.find((entry) => entry.id === key.id);
    expect(found).toEqual(key);
    expect(JSON.stringify(listed)).not.toContain(created.body.secret as string);
    const revoked = await call(`/keys/${key.id as string}`, { method: 'DELETE' });
    expect((revoked.body.key as Json).status).toBe('revoked');
    expect((await call(`/keys/${key.id as string}`, { method: 'DELETE' })).status).toBe(404);
    const noName = await call('/keys', { method: 'POST', body: {} });
    expect([noName.status, noName.body.error?.param]).toEqual([400, 'name']);
    const extra = await call('/keys', { method: 'POST', body: { name: 'x', colour: 'red' } });
    expect([extra.status, extra.body.error?.param]).toEqual([400, 'colour']);
    const page1 = await get('/keys?limit=1');
    expect(list(page1).length).toBe(1);
    expect(list(await get(`/keys?limit=1&cursor=${page1.next_cursor as string}`))[0]?.id).not.toBe(list(page1)[0]?.id);
  });
});

describe('plans and customers', () => {
  it('seeds from config, changes through the API, and lists customers seen without a plan', async () => {
    expect(list(await get('/plans'))).toMatchObject([{ name: 'pro', monthly_price_usd: 99, included_usage_usd: 20, source: 'config' }]);
    expect((await call('/plans/enterprise', { method: 'PUT', body: { monthly_price_usd: 500 } })).body.plan).toMatchObject({ name: 'enterprise', source: 'api', included_usage_usd: null });
    expect((await call('/customers/beta', { method: 'PUT', body: { plan: 'enterprise' } })).status).toBe(200);
    const customers = list(await get(`/customers?${march}`));
    expect(customers.map((entry) => [entry.customer, entry.plan, entry.cost_usd])).toEqual([['acme', 'pro', 1.25], ['beta', 'enterprise', 0], ['gamma', null, 0.5]]);
    expect((await call('/plans/enterprise', { method: 'DELETE' })).status).toBe(409);
    await call('/customers/beta', { method: 'PUT', body: { plan: null } });
    expect((await call('/plans/enterprise', { method: 'DELETE' })).status).toBe(200);
    expect((await call('/plans/enterprise', { method: 'DELETE' })).status).toBe(404);
    const gold = await call('/customers/x', { method: 'PUT', body: { plan: 'gold' } });
    expect([gold.status, gold.body.error?.param]).toEqual([400, 'plan']);
    const badPrice = await call('/plans/cheap', { method: 'PUT', body: { monthly_price_usd: 'free' } });
    expect([badPrice.status, badPrice.body.error?.param]).toEqual([400, 'monthly_price_usd']);
    expect((await call('/plans/bad%20name', { method: 'PUT', body: { monthly_price_usd: 1 } })).status).toBe(400);
  });

  it('lets the table win over the file once the API changed a plan or a customer', () => {
    seedPlans(db, { plans: [{ name: 'pro', monthly_price_usd: 149 }, { name: 'enterprise', monthly_price_usd: 1 }], customers: { acme: 'pro', beta: 'pro' }, now: Date.now() });
    // pro came from the file: updated; enterprise was deleted through the API: stays deleted; beta was unassigned via the API.
    expect(listPlans(db).map((plan) => [plan.name, plan.monthlyPriceUsd])).toEqual([['pro', 149]]);
    expect(listCustomerPlans(db).map((mapping) => [mapping.customer, mapping.plan])).toEqual([['acme', 'pro']]);
  });

  it('rejects a config customer mapped to an undeclared plan, naming the path', () => {
    const loadWith = () => resolveConfig({ source: 'test', env: {}, input: { plans: [{ name: 'pro', monthly_price_usd: 1 }], customers: { acme: 'gold' } } });
    expect(loadWith).toThrow(ConfigError);
    expect(loadWith).toThrow('customers.acme: unknown plan "gold"');
  });
});

describe('bad parameters', () => {
  const cases: Array<[string, string]> = [
    ['/spend?tz=Mars/Olympus', 'tz'],
    ['/spend?interval=year', 'interval'],
    ['/spend?group_by=colour', 'group_by'],
    ['/spend?filter.colour=red', 'filter.colour'],
    ['/spend?filter.team=', 'filter.team'],
    ['/spend?from=yesterday', 'from'],
    ['/spend?from=2026-02-30', 'from'],
    ['/spend?to=2026-13-01', 'to'],
    ['/spend?from=2026-03-02&to=2026-03-01', 'from'],
    ['/spend?limit=0', 'limit'],
    ['/spend?limit=1001', 'limit'],
    ['/spend?limit=abc', 'limit'],
    ['/spend?cursor=garbage', 'cursor'],
    ['/spend?grup_by=team', 'grup_by'],
    ['/spend?interval=hour&from=2020-01-01&to=2026-01-01', 'interval'],
    ['/spend?tz=UTC&tz=Europe/Paris', 'tz'],
    ['/spend/top', 'group_by'],
    ['/spend/top?group_by=team&n=0', 'n'],
    ['/savings?tz=Nowhere', 'tz'],
    ['/requests?status=teapot', 'status'],
    ['/requests?cache_source=disk', 'cache_source'],
    ['/requests?cursor=e30', 'cursor'],
    ['/events?kind=explosion', 'kind'],
    ['/alerts?kind=budget_alert', 'kind'],
    ['/customers?from=nope', 'from'],
    ['/keys?limit=-1', 'limit'],
  ];
  it.each(cases)('%s -> 400 naming %s', async (path, param) => {
    const { status, body } = await call(path);
    expect(status).toBe(400);
    expect(body.error?.param).toBe(param);
    expect(body.error?.message).toContain(param);
  });

  it('rejects a body that is not JSON', async () => {
    const response = await fetch(`${stack.gateway.url}/admin/v1/keys`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: '{nope' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as Json).error?.param).toBe('body');
  });
});

describe('GET /providers/health', () => {
  it("lists the gateway's configured providers with their circuit state", async () => {
    const body = await get('/providers/health');
    const providers = body.providers as Json[];
    expect(providers.length).toBeGreaterThan(0);
    for (const provider of providers) expect(provider).toMatchObject({ state: 'closed', probe_in_flight: false });
    expect(body.failure_threshold).toEqual(expect.any(Number));
  });
});

describe('GET /openapi.json', () => {
  const expected = [
    'GET /spend', 'GET /spend/top', 'GET /requests', 'GET /requests/{id}', 'GET /budgets', 'PUT /budgets/{name}', 'POST /budgets/{name}/reset',
    'GET /alerts', 'GET /breakers/trips', 'GET /events', 'GET /savings', 'GET /keys', 'POST /keys', 'DELETE /keys/{id}',
    'GET /plans', 'PUT /plans/{name}', 'DELETE /plans/{name}', 'GET /customers', 'PUT /customers/{id}', 'GET /openapi.json',
    'GET /outcomes', 'GET /forecast', 'GET /whales', 'GET /waste', // analytics-routes.ts
    'GET /providers/health', // health-routes.ts
  ];
  it('documents every routed path and method, with its query parameters', async () => {
    const document = await get('/openapi.json');
    expect(document.openapi).toBe('3.1.0');
    const paths = document.paths as Record<string, Record<string, Json>>;
    expect(adminRoutes.map((route) => `${route.method} ${route.path}`).sort()).toEqual([...expected].sort());
    for (const route of adminRoutes) {
      const operation = paths[`/admin/v1${route.path}`]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      const documented = (operation?.parameters as Json[]).map((param) => param.name);
      for (const param of route.params ?? []) expect(documented).toContain(param.name.endsWith('.') ? `${param.name}{dimension}` : param.name);
      expect(operation?.responses).toHaveProperty(String(route.status ?? 200));
    }
    const schemas = (document.components as Json).schemas as Json;
    for (const match of JSON.stringify(document).matchAll(/#\/components\/schemas\/(\w+)/g)) expect(schemas).toHaveProperty(match[1] as string);
  });
});
