/**
 * Dashboard / admin API queries over N synthetic ledger rows (default 10 million over 90 days), through the hourly
 * rollup (migration 0011, src/stores/sqlite/rollups.ts) and, as the baseline in the same run, over the raw ledger
 * (`source: 'ledger'`, the code path every query had before the rollup). Each query is the one an admin endpoint
 * runs; results of the two paths are compared (counts equal, money within 1e-9 USD relative to the sum).
 *
 *   node bench/dashboard-queries.mjs [rows=10000000] [days=90]      # target: p95 <= 500 ms through the rollup
 *   LEDGER_DB=/tmp/ledger-10m.db node bench/dashboard-queries.mjs    # keep the generated ledger and reuse it
 *
 * Data: written straight into a temp SQLite file at schema version 10 (one prepared INSERT, 50k rows per
 * transaction), then migrated to version 11, whose migration backfills the rollup (its time is reported). The
 * distributions are correlated as in a real organisation: 20 features (each with its team, app, dialect and two
 * models), 300 customers with Zipf-like traffic, one key each and sessions of 12 requests, 3% rate-limited and 1% failed attempts (retried),
 * 8% exact and 3% semantic cache answers, 4% unpriced rows; outcomes for one session in 10 and one request in 200. `to` is "now" (not on an hour) and days are Europe/Paris
 * days, as the dashboard asks.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const ROWS = Number(process.argv[2] ?? 10_000_000);
const DAYS = Number(process.argv[3] ?? 90);

mkdirSync(join(root, 'bench/results'), { recursive: true });
const dir = mkdtempSync(join(root, 'bench/results/dashboard-'));
const entry = join(dir, 'entry.ts');
writeFileSync(entry, [
  `export { migrate } from '${root}src/stores/sqlite/migrate.ts';`,
  `export { migrations } from '${root}src/stores/sqlite/migrations/index.ts';`,
  `export { ledgerColumns, toLedgerRecord } from '${root}src/stores/sqlite/ledger-record.ts';`,
  `export * from '${root}src/stores/sqlite/admin-spend.ts';`,
  `export { dailySpendByFeature, customerMonthCosts, heaviestSessions, spendOf } from '${root}src/stores/sqlite/admin-analytics.ts';`,
  `export { customersSeen } from '${root}src/stores/sqlite/admin-plans.ts';`,
  `export { bucketBounds } from '${root}src/server/admin/admin-time.ts';`,
  `export { createAdminApi } from '${root}src/server/admin/admin-api.ts';`,
  `export { openSqliteStores } from '${root}src/stores/sqlite/open-sqlite-stores.ts';`,
  `export { resolveConfig } from '${root}src/spec/config/load-config.ts';`,
  `export { createLogger } from '${root}src/server/logger.ts';`,
].join('\n'));
await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: join(dir, 'bundle.mjs'), packages: 'external', logLevel: 'error' });
const lib = await import(join(dir, 'bundle.mjs'));
const { default: BetterSqlite3 } = await import('better-sqlite3');

// --- synthetic ledger ---
let seed = 42;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const models = [['gpt-4o', 'openai', 2.5, 10], ['gpt-4o-mini', 'openai', 0.15, 0.6], ['claude-sonnet-4', 'anthropic', 3, 15], ['claude-haiku-4', 'anthropic', 0.8, 4], ['gemini-2.5-pro', 'gemini', 1.25, 10], ['gemini-2.5-flash', 'gemini', 0.3, 2.5]];
const features = Array.from({ length: 20 }, (_, i) => ({ name: `feature-${i}`, team: `team-${i % 5}`, app: `app-${i % 4}`, dialect: i % 3 === 0 ? 'anthropic' : 'openai', models: [models[i % 6], models[(i * 7 + 1) % 6]] }));
const customers = Array.from({ length: 300 }, (_, i) => `customer-${i}`);
const zipf = () => Math.min(customers.length - 1, Math.floor(Math.pow(rand(), 2.2) * customers.length));
const now = Date.UTC(2026, 5, 30, 14, 27, 13);
/** Requests so far per customer: a customer's session is 12 consecutive requests of that customer. */
const perCustomer = new Uint32Array(customers.length);
const span = DAYS * 86_400_000;

function row(index) {
  const startedAt = now - span + Math.floor((index / ROWS) * span);
  const f = features[Math.floor(Math.pow(rand(), 1.5) * features.length)];
  const [model, provider, inPrice, outPrice] = f.models[rand() < 0.7 ? 0 : 1];
  const customer = zipf();
  const k = rand();
  const cacheSource = k < 0.08 ? 'exact' : k < 0.11 ? 'semantic' : null;
  const status = k > 0.97 ? 429 : k > 0.96 ? 500 : 200;
  const failed = status !== 200;
  const input = failed ? 0 : 200 + Math.floor(rand() * 4_000);
  const cacheRead = failed || rand() < 0.6 ? 0 : Math.floor(input * 0.6);
  const output = failed ? 0 : 50 + Math.floor(rand() * 700);
  const unpriced = rand() < 0.04;
  const costIn = ((input - cacheRead) * inPrice + cacheRead * inPrice * 0.1) / 1e6;
  const costOut = (output * outPrice) / 1e6;
  const cost = cacheSource === null ? costIn + costOut : 0;
  const priced = !unpriced && !failed;
  return {
    id: `r${index}`, requestId: `q${index - (status === 200 && index % 50 === 1 ? 1 : 0)}`, attempt: index % 50 === 1 ? 2 : 1, startedAt, firstByteAt: startedAt + 300, endedAt: startedAt + 1_200,
    dialect: f.dialect, endpoint: 'chat', provider, requestedModel: model, servedModel: `${model}-2026`, status, errorCode: failed ? 'upstream_error' : null, streamed: true, clientAborted: false,
    attribution: { keyId: `key-${customer}`, team: f.team, app: f.app, feature: f.name, user: `user-${Math.floor(rand() * 5_000)}`, customer: customers[customer], session: `s-${customer}-${Math.floor(perCustomer[customer]++ / 12)}`, tags: { env: 'prod' } },
    inputTokens: input, cacheReadTokens: cacheRead, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: output, reasoningTokens: 0,
    inputAudioTokens: 0, inputImageTokens: 0, cacheReadAudioTokens: 0, outputAudioTokens: 0, outputImageTokens: 0, serviceTier: 'standard', usageEstimated: rand() < 0.02,
    costInputUsd: priced ? costIn : null, costCacheReadUsd: priced ? 0 : null, costCacheWriteUsd: priced ? 0 : null, costOutputUsd: priced ? costOut : null, costRequestUsd: priced ? 0 : null,
    costTotalUsd: priced ? cost : null, priceRef: priced ? `genai-prices:${model}` : null, configHash: 'bench',
    previousCostTotalUsd: null, previousPriceRef: null, repricedAt: null, cacheSource, costUncachedUsd: priced ? costIn + costOut + (cacheRead * inPrice * 0.9) / 1e6 : null,
    routeTier: null, routeReason: null, routeScore: null, routeClassifier: null, routeCandidates: null, shadowTier: null, shadowProvider: null, shadowModel: null, shadowCostUsd: null, followsReason: null,
  };
}

// LEDGER_DB=<file>: keep the generated ledger there and reuse it on the next run (same rows and days only).
const kept = process.env.LEDGER_DB;
const path = kept ?? join(dir, 'ledger.db');
const reuse = kept !== undefined && existsSync(kept);
const db = new BetterSqlite3(path);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
if (reuse) {
  if (db.prepare('SELECT COUNT(*) FROM ledger').pluck().get() !== ROWS) throw new Error(`${kept} does not hold ${ROWS} rows: delete it or pick another LEDGER_DB`);
  lib.migrate({ db, path });
  console.log(`${ROWS.toLocaleString('en')} rows over ${DAYS} days reused from ${kept}\n`);
} else {
  lib.migrate({ db, path, migrations: lib.migrations.filter((m) => m.version < 11) });
  let t0 = performance.now();
  // The columns of the version-10 ledger (later migrations add columns, NULL on these rows).
  const present = new Set(db.prepare("SELECT name FROM pragma_table_info('ledger')").pluck().all());
  const columns = lib.ledgerColumns.filter((column) => present.has(column));
  const insert = db.prepare(`INSERT INTO ledger (${columns.join(', ')}) VALUES (${columns.map((column) => `@${column}`).join(', ')})`);
  const chunk = db.transaction((from, to) => {
    for (let i = from; i < to; i++) insert.run(lib.toLedgerRecord(row(i)));
  });
  for (let i = 0; i < ROWS; i += 50_000) chunk(i, Math.min(ROWS, i + 50_000));
  // Outcomes (POST /v1/jevons/outcomes) for one session in 10 and one request in 200: GET /outcomes reads the
  // requests they cover one by one, so its cost follows this coverage (about 10% of requests here).
  const insertOutcome = db.prepare("INSERT INTO outcomes (id, at, request_id, session_id, status, score, key_id, source, note) VALUES (?, ?, ?, ?, ?, ?, '', 'api', NULL)");
  db.transaction(() => {
    const sessions = db.prepare("SELECT session_id, MAX(started_at) FROM ledger WHERE session_id LIKE 's-%-%0' GROUP BY session_id").raw().all();
    sessions.forEach(([session, at], i) => insertOutcome.run(`os${i}`, at + 60_000, null, session, i % 3 === 0 ? 'failure' : 'success', null));
    for (let i = 0; i < ROWS; i += 200) insertOutcome.run(`or${i}`, now - span + Math.floor((i / ROWS) * span) + 5_000, `q${i}`, null, null, (i % 7) / 6);
  })();
  const generateMs = performance.now() - t0;
  t0 = performance.now();
  lib.migrate({ db, path });
  const backfillMs = performance.now() - t0;
  db.pragma('optimize');
  const cells = ['ledger_hourly_features', 'ledger_daily_customers', 'ledger_hourly_customers', 'ledger_hourly_sessions'].map((table) => `${table} ${db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get().toLocaleString('en')}`);
  console.log(`${ROWS.toLocaleString('en')} rows over ${DAYS} days written in ${(generateMs / 1000).toFixed(1)} s; migrations 0011-0012 backfilled the rollups in ${(backfillMs / 1000).toFixed(1)} s (cells: ${cells.join(', ')})\n`);
}

// --- the queries the admin endpoints run ---
const tz = 'Europe/Paris';
const day = 86_400_000;
const range = (days, source) => ({ since: now - days * day, until: now, filters: [], source });
const feature = { kind: 'column', name: 'feature' };
const customer = { kind: 'column', name: 'customer' };
/** What GET /spend runs: a page of 20 groups, their cells per bucket and the total (admin-spend.ts spendSeries). */
const series = (r, groupBy, interval) => {
  const result = lib.spendSeries(db, { range: r, groupBy, limit: 20, offset: 0, bounds: lib.bucketBounds({ from: r.since, to: r.until, interval, timeZone: tz }) });
  return { ...result, cells: result.cells.sort((a, b) => a.bucket - b.bucket || String(a.group).localeCompare(String(b.group))) };
};
const queries = {
  'GET /spend (30 d, by feature, days)': (source) => series(range(30, source), feature, 'day'),
  'GET /spend (7 d, filter team, hours)': (source) => series({ ...range(7, source), filters: [{ dimension: { kind: 'column', name: 'team' }, values: ['team-1'] }] }, null, 'hour'),
  'GET /spend/top (30 d, customer, n=10)': (source) => lib.spendGroups(db, { range: range(30, source), groupBy: customer, limit: 10, offset: 0 }),
  'GET /savings (30 d)': (source) => ({ sources: lib.savingsBySource(db, range(30, source)), byFeature: lib.spendGroups(db, { range: range(30, source), groupBy: feature, limit: 1_000, offset: 0 }) }),
  'GET /forecast (90 d daily by feature)': (source) => {
    const r = { since: now - 90 * day, until: now, source };
    return lib.dailySpendByFeature(db, { range: r, dayBounds: lib.bucketBounds({ from: r.since, to: r.until, interval: 'day', timeZone: tz }) }).sort((a, b) => a.bucket - b.bucket || String(a.feature).localeCompare(String(b.feature)));
  },
  'GET /whales (months by customer, 5 heaviest sessions each)': (source) => {
    const r = { since: now - DAYS * day, until: now, source };
    const monthBounds = lib.bucketBounds({ from: r.since, to: r.until, interval: 'month', timeZone: tz });
    const months = lib.customerMonthCosts(db, { range: r, monthBounds }).sort((a, b) => a.bucket - b.bucket || a.customer.localeCompare(b.customer));
    const sessions = lib.heaviestSessions(db, { range: { since: monthBounds.at(-2), until: now, source }, top: 5 });
    return { months, sessions };
  },
  'GET /spend (30 d, by key, days)': (source) => series(range(30, source), { kind: 'column', name: 'key' }, 'day'),
};

/** Largest difference between two results: counts must be equal (returns Infinity otherwise), money relative. */
function difference(a, b) {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isInteger(a) && Number.isInteger(b)) return a === b ? 0 : Math.abs(a - b) / Math.max(1, Math.abs(b)) > 1e-12 ? Infinity : 0;
    return Math.abs(a - b) / Math.max(1, Math.abs(b));
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length !== b.length ? Infinity : Math.max(0, ...a.map((x, i) => difference(x, b[i])));
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') return Math.max(0, ...Object.keys(b).map((k) => difference(a[k], b[k])));
  return a === b ? 0 : Infinity;
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
function time(fn, runs) {
  const times = [];
  let result;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    result = fn();
    times.push(performance.now() - t);
  }
  times.sort((x, y) => x - y);
  return { result, p50: pct(times, 50), p95: pct(times, 95) };
}

const RAW_RUNS = Number(process.env.RAW_RUNS ?? 3);
const ROLLUP_RUNS = Number(process.env.ROLLUP_RUNS ?? 20);
console.log('| query | raw ledger p50 | raw p95 | rollup p50 | rollup p95 | speed-up (p50) | max relative money diff |');
console.log('|---|---|---|---|---|---|---|');
let worst = 0;
for (const [name, query] of Object.entries(queries)) {
  const rollup = time(() => query('auto'), ROLLUP_RUNS);
  const raw = time(() => query('ledger'), RAW_RUNS);
  const diff = difference(rollup.result, raw.result);
  worst = Math.max(worst, rollup.p95);
  console.log(`| ${name} | ${raw.p50.toFixed(0)} ms | ${raw.p95.toFixed(0)} ms | ${rollup.p50.toFixed(1)} ms | ${rollup.p95.toFixed(1)} ms | ${(raw.p50 / rollup.p50).toFixed(0)}x | ${diff === Infinity ? 'MISMATCH' : diff.toExponential(1)} |`);
}
console.log(`\n${RAW_RUNS} raw runs, ${ROLLUP_RUNS} rollup runs per query; worst rollup p95 ${worst.toFixed(1)} ms (target <= 500 ms): ${worst <= 500 ? 'PASS' : 'FAIL'}`);

// --- every admin endpoint the dashboard calls, over loopback HTTP (src/server/admin; dashboard/src/pages) ---
const loaded = lib.resolveConfig({
  source: 'bench',
  env: { JEVONS_ADMIN_TOKEN: 'bench-token' },
  input: {
    admin: { timezone: tz },
    budgets: [
      { name: 'all-monthly', period: 'monthly', timezone: tz, limit_usd: 50_000 },
      { name: 'per-team', scope: { team: '*' }, period: 'monthly', timezone: tz, limit_usd: 5_000 },
      { name: 'per-customer', scope: { customer: '*' }, period: 'monthly', timezone: tz, limit_usd: 1_000 },
      { name: 'feature-daily', scope: { feature: '*' }, period: 'daily', timezone: tz, limit_usd: 200 },
    ],
    plans: [{ name: 'starter', monthly_price_usd: 49 }, { name: 'business', monthly_price_usd: 499 }],
    customers: Object.fromEntries(customers.map((c, i) => [c, i % 3 === 0 ? 'business' : 'starter'])),
  },
});
const stores = lib.openSqliteStores({ path });
const config = loaded.config;
const api = lib.createAdminApi({ db: stores.db, keys: stores.keys, budgets: config.budgets, admin: config.admin, token: 'bench-token', plans: config.plans, customers: config.customers, now: () => now, logger: lib.createLogger({ level: 'error' }), maxBodyBytes: 1_000_000 });
const server = createServer(api);
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}/admin/v1`;
const monthStart = new Date(Date.UTC(2026, 5, 1)).toISOString().slice(0, 10);
const endpoints = {
  'overview: /spend (month, days)': `/spend?from=${monthStart}&interval=day&tz=${tz}`,
  'overview: /spend (30 d, days)': `/spend?interval=day&tz=${tz}`,
  'overview: /budgets': '/budgets?limit=1000',
  'overview: /outcomes (30 d, by feature)': `/outcomes?tz=${tz}&group_by=feature`,
  'overview: /savings (30 d)': `/savings?tz=${tz}`,
  'explorer: /spend (30 d, by model, days)': `/spend?interval=day&tz=${tz}&group_by=model`,
  'explorer: /spend (30 d, by customer, days)': `/spend?interval=day&tz=${tz}&group_by=customer`,
  'explorer: /spend/top (customer)': `/spend/top?group_by=customer&n=10&tz=${tz}`,
  'customers: /whales': `/whales?tz=${tz}`,
  'customers: /customers': `/customers?tz=${tz}`,
  'forecast: /forecast': `/forecast?tz=${tz}`,
  'waste: /waste (30 d)': `/waste?tz=${tz}`,
  'requests: /requests (first page)': '/requests?limit=50',
};
const HTTP_RUNS = Number(process.env.HTTP_RUNS ?? 5);
console.log(`\n| dashboard endpoint (HTTP, ${HTTP_RUNS} runs) | p50 | p95 | status |`);
console.log('|---|---|---|---|');
let worstHttp = 0;
for (const [name, url] of Object.entries(endpoints)) {
  let status = 0;
  const times = [];
  for (let i = 0; i < HTTP_RUNS; i++) {
    const t = performance.now();
    const response = await fetch(`${base}${url}`, { headers: { authorization: 'Bearer bench-token' } });
    await response.arrayBuffer();
    status = response.status;
    times.push(performance.now() - t);
  }
  times.sort((x, y) => x - y);
  const timing = { p50: pct(times, 50), p95: pct(times, 95) };
  worstHttp = Math.max(worstHttp, timing.p95);
  console.log(`| ${name} | ${timing.p50.toFixed(1)} ms | ${timing.p95.toFixed(1)} ms | ${status} |`);
}
console.log(`\nworst endpoint p95 ${worstHttp.toFixed(1)} ms (target <= 500 ms): ${worstHttp <= 500 ? 'PASS' : 'FAIL'}`);
server.close();
await stores.close();
db.close();
rmSync(dir, { recursive: true, force: true });
