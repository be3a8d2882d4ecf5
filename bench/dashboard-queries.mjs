/**
 * Dashboard / admin API queries over N synthetic ledger rows (default 10 million over 90 days), through the hourly
 * rollup (migration 0011, src/stores/sqlite/rollups.ts) and, as the baseline in the same run, over the raw ledger
 * (`source: 'ledger'`, the code path every query had before the rollup). Each query is the one an admin endpoint
 * runs; results of the two paths are compared (counts equal, money within 1e-9 USD relative to the sum).
 *
 *   node bench/dashboard-queries.mjs [rows=10000000] [days=90]      # target: p95 <= 500 ms through the rollup
 *
 * Data: written straight into a temp SQLite file at schema version 10 (one prepared INSERT, 50k rows per
 * transaction), then migrated to version 11, whose migration backfills the rollup (its time is reported). The
 * distributions are correlated as in a real organisation: 20 features (each with its team, app, dialect and two
 * models), 300 customers with Zipf-like traffic and one key each, 3% rate-limited and 1% failed attempts (retried),
 * 8% exact and 3% semantic cache answers, 4% unpriced rows. `to` is "now" (not on an hour) and days are Europe/Paris
 * days, as the dashboard asks.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
  `export { insertLedgerSql, toLedgerValues } from '${root}src/stores/sqlite/ledger-record.ts';`,
  `export * from '${root}src/stores/sqlite/admin-spend.ts';`,
  `export { dailySpendByFeature, customerMonthCosts, spendOf } from '${root}src/stores/sqlite/admin-analytics.ts';`,
  `export { bucketBounds } from '${root}src/server/admin/admin-time.ts';`,
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
    attribution: { keyId: `key-${customer}`, team: f.team, app: f.app, feature: f.name, user: `user-${Math.floor(rand() * 5_000)}`, customer: customers[customer], session: `s-${Math.floor(index / 8)}`, tags: { env: 'prod' } },
    inputTokens: input, cacheReadTokens: cacheRead, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: output, reasoningTokens: 0,
    inputAudioTokens: 0, inputImageTokens: 0, cacheReadAudioTokens: 0, outputAudioTokens: 0, outputImageTokens: 0, serviceTier: 'standard', usageEstimated: rand() < 0.02,
    costInputUsd: priced ? costIn : null, costCacheReadUsd: priced ? 0 : null, costCacheWriteUsd: priced ? 0 : null, costOutputUsd: priced ? costOut : null, costRequestUsd: priced ? 0 : null,
    costTotalUsd: priced ? cost : null, priceRef: priced ? `genai-prices:${model}` : null, configHash: 'bench',
    previousCostTotalUsd: null, previousPriceRef: null, repricedAt: null, cacheSource, costUncachedUsd: priced ? costIn + costOut + (cacheRead * inPrice * 0.9) / 1e6 : null,
    routeTier: null, routeReason: null, routeScore: null, routeClassifier: null, routeCandidates: null, shadowTier: null, shadowProvider: null, shadowModel: null, shadowCostUsd: null, followsReason: null,
  };
}

const path = join(dir, 'ledger.db');
const db = new BetterSqlite3(path);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
lib.migrate({ db, path, migrations: lib.migrations.filter((m) => m.version < 11) });
let t0 = performance.now();
const insert = db.prepare(lib.insertLedgerSql);
const chunk = db.transaction((from, to) => {
  for (let i = from; i < to; i++) insert.run(lib.toLedgerValues(row(i)));
});
for (let i = 0; i < ROWS; i += 50_000) chunk(i, Math.min(ROWS, i + 50_000));
const generateMs = performance.now() - t0;
t0 = performance.now();
lib.migrate({ db, path });
const backfillMs = performance.now() - t0;
db.pragma('optimize');
const rollupRows = db.prepare('SELECT COUNT(*) FROM ledger_hourly_features').pluck().get();
console.log(`${ROWS.toLocaleString('en')} rows over ${DAYS} days written in ${(generateMs / 1000).toFixed(1)} s; migration 0011 backfilled ${rollupRows.toLocaleString('en')} rollup rows in ${(backfillMs / 1000).toFixed(1)} s\n`);

// --- the queries the admin endpoints run ---
const tz = 'Europe/Paris';
const day = 86_400_000;
const range = (days, source) => ({ since: now - days * day, until: now, filters: [], source });
const feature = { kind: 'column', name: 'feature' };
const customer = { kind: 'column', name: 'customer' };
const queries = {
  'GET /spend (30 d, by feature, days)': (source) => {
    const r = range(30, source);
    const bounds = lib.bucketBounds({ from: r.since, to: r.until, interval: 'day', timeZone: tz });
    const groups = lib.spendGroups(db, { range: r, groupBy: feature, limit: 21, offset: 0 });
    const cells = lib.spendBuckets(db, { range: r, groupBy: feature, groups: groups.slice(0, 20).map((g) => g.group), bounds });
    return { groups, cells: cells.sort((a, b) => a.bucket - b.bucket || String(a.group).localeCompare(String(b.group))), total: lib.spendGroups(db, { range: r, groupBy: null, limit: 1, offset: 0 }) };
  },
  'GET /spend (7 d, filter team, hours)': (source) => {
    const r = { ...range(7, source), filters: [{ dimension: { kind: 'column', name: 'team' }, values: ['team-1'] }] };
    const bounds = lib.bucketBounds({ from: r.since, to: r.until, interval: 'hour', timeZone: tz });
    return lib.spendBuckets(db, { range: r, groupBy: null, groups: [null], bounds }).sort((a, b) => a.bucket - b.bucket);
  },
  'GET /spend/top (30 d, customer, n=10)': (source) => lib.spendGroups(db, { range: range(30, source), groupBy: customer, limit: 10, offset: 0 }),
  'GET /savings (30 d)': (source) => ({ sources: lib.savingsBySource(db, range(30, source)), byFeature: lib.spendGroups(db, { range: range(30, source), groupBy: feature, limit: 1_000, offset: 0 }) }),
  'GET /forecast (90 d daily by feature)': (source) => {
    const r = { since: now - 90 * day, until: now, source };
    return lib.dailySpendByFeature(db, { range: r, dayBounds: lib.bucketBounds({ from: r.since, to: r.until, interval: 'day', timeZone: tz }) }).sort((a, b) => a.bucket - b.bucket || String(a.feature).localeCompare(String(b.feature)));
  },
  'GET /whales (months by customer)': (source) => {
    const r = { since: now - DAYS * day, until: now, source };
    return lib.customerMonthCosts(db, { range: r, monthBounds: lib.bucketBounds({ from: r.since, to: r.until, interval: 'month', timeZone: tz }) }).sort((a, b) => a.bucket - b.bucket || a.customer.localeCompare(b.customer));
  },
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
db.close();
rmSync(dir, { recursive: true, force: true });
