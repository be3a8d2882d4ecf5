/**
 * Ledger ingest: rows/s of LedgerStore.append (SQLite, WAL, synchronous=NORMAL) in batches as the ledger writer
 * flushes them, WITH the hourly rollup maintained in the same transaction (src/stores/sqlite/rollups.ts), next to the
 * baseline in the same run: the same INSERTs in the same transactions without the rollup (the append of before).
 *
 *   node bench/ledger-ingest.mjs [rows=300000]      # target: >= 50,000 rows/s sustained while traffic is served
 *
 * Two conditions: alone, and while ANOTHER process serves HTTP traffic flat out on loopback (a node:http server and
 * an undici client with 32 connections in one child process: it keeps one of the machine's two cores busy, as a
 * gateway under load does). The gateway appends from its own process; the child stands in for its request work so
 * that ingest is measured on the core that is left, without the gateway's startup and configuration in the bench.
 * Rows: 20 features x 300 customers (sessions of 12 requests each) x 6 models, timestamps advancing 2 ms per row (a
 * busy gateway), realistic mixes of cache answers, failures and unpriced rows.
 */
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;

if (process.argv[2] === '--load') {
  // Child: loopback HTTP traffic until killed.
  const { createServer } = await import('node:http');
  const { Pool } = await import('undici');
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('{"id":"x","usage":{"prompt_tokens":10,"completion_tokens":5}}'));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const pool = new Pool(`http://127.0.0.1:${server.address().port}`, { connections: 32 });
  let served = 0;
  const loop = async () => {
    for (;;) {
      const { body } = await pool.request({ path: '/v1/chat/completions', method: 'POST', body: '{"model":"gpt-4o","messages":[]}' });
      await body.text();
      served++;
    }
  };
  setInterval(() => process.send?.({ served }), 500).unref();
  for (let i = 0; i < 32; i++) void loop();
} else {
  await main();
}

async function main() {
  const ROWS = Number(process.argv[2] ?? 300_000);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  const dir = mkdtempSync(join(root, 'bench/results/ingest-'));
  const entry = join(dir, 'entry.ts');
  writeFileSync(entry, [
    `export { openSqliteStores } from '${root}src/stores/sqlite/open-sqlite-stores.ts';`,
    `export { insertLedgerSql, toLedgerValues } from '${root}src/stores/sqlite/ledger-record.ts';`,
  ].join('\n'));
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: join(dir, 'bundle.mjs'), packages: 'external', logLevel: 'error' });
  const lib = await import(join(dir, 'bundle.mjs'));

  let seed = 7;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const models = [['gpt-4o', 'openai'], ['gpt-4o-mini', 'openai'], ['claude-sonnet-4', 'anthropic'], ['claude-haiku-4', 'anthropic'], ['gemini-2.5-pro', 'gemini'], ['gemini-2.5-flash', 'gemini']];
  const t0 = Date.UTC(2026, 5, 1);
  // A session belongs to one customer: 12 consecutive requests of that customer (an agent's turn, a chat).
  const perCustomer = new Uint32Array(300);
  const rows = Array.from({ length: ROWS }, (_, index) => {
    const f = Math.floor(Math.pow(rand(), 1.5) * 20);
    const [model, provider] = models[(f + (rand() < 0.7 ? 0 : 1)) % 6];
    const customer = Math.floor(Math.pow(rand(), 2.2) * 300);
    const k = rand();
    const priced = k < 0.96;
    const cost = rand() / 100;
    return {
      id: `r${index}`, requestId: `q${index}`, attempt: 1, startedAt: t0 + index * 2, firstByteAt: null, endedAt: t0 + index * 2 + 900,
      dialect: 'openai', endpoint: 'chat', provider, requestedModel: model, servedModel: model, status: k > 0.97 ? 429 : 200, errorCode: null, streamed: true, clientAborted: false,
      attribution: { keyId: `key-${customer}`, team: `team-${f % 5}`, app: `app-${f % 4}`, feature: `feature-${f}`, user: `user-${index % 5000}`, customer: `customer-${customer}`, session: `s-${customer}-${Math.floor(perCustomer[customer]++ / 12)}`, tags: {} },
      inputTokens: 1_000, cacheReadTokens: k < 0.3 ? 500 : 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 300, reasoningTokens: 0,
      inputAudioTokens: 0, inputImageTokens: 0, cacheReadAudioTokens: 0, outputAudioTokens: 0, outputImageTokens: 0, serviceTier: 'standard', usageEstimated: false,
      costInputUsd: priced ? cost / 2 : null, costCacheReadUsd: priced ? 0 : null, costCacheWriteUsd: priced ? 0 : null, costOutputUsd: priced ? cost / 2 : null, costRequestUsd: priced ? 0 : null,
      costTotalUsd: priced ? cost : null, priceRef: priced ? 'bench' : null, configHash: 'bench', previousCostTotalUsd: null, previousPriceRef: null, repricedAt: null,
      cacheSource: k < 0.08 ? 'exact' : null, costUncachedUsd: priced ? cost * 1.3 : null,
      routeTier: null, routeReason: null, routeScore: null, routeClassifier: null, routeCandidates: null, shadowTier: null, shadowProvider: null, shadowModel: null, shadowCostUsd: null, followsReason: null,
    };
  });

  let file = 0;
  async function measure(batch, withRollup) {
    const stores = lib.openSqliteStores({ path: join(dir, `ingest-${++file}.db`) });
    const insert = stores.db.prepare(lib.insertLedgerSql);
    const plain = stores.db.transaction((chunk) => {
      for (const row of chunk) insert.run(lib.toLedgerValues(row));
    });
    const started = performance.now();
    for (let i = 0; i < rows.length; i += batch) {
      const chunk = rows.slice(i, i + batch);
      if (withRollup) await stores.ledger.append(chunk);
      else plain(chunk);
    }
    const seconds = (performance.now() - started) / 1000;
    await stores.close();
    return rows.length / seconds;
  }

  async function table(label) {
    for (const batch of [100, 1_000]) {
      const base = await measure(batch, false);
      const withRollup = await measure(batch, true);
      console.log(`| ${label} | ${batch} | ${Math.round(base).toLocaleString('en')} | ${Math.round(withRollup).toLocaleString('en')} | ${((withRollup / base - 1) * 100).toFixed(0)}% |`);
    }
  }

  console.log(`${ROWS.toLocaleString('en')} rows per measurement\n`);
  console.log('| condition | batch | rows/s without rollup (baseline) | rows/s with rollup | change |');
  console.log('|---|---|---|---|---|');
  await table('alone');
  const child = fork(new URL(import.meta.url).pathname, ['--load'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  let served = 0;
  child.on('message', (message) => (served = message.served));
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const before = served;
  const started = performance.now();
  await table('while loopback HTTP load runs');
  // Ingest blocks the event loop (better-sqlite3 is synchronous): let the child's latest count arrive.
  await new Promise((resolve) => setTimeout(resolve, 1_200));
  const rps = ((served - before) / (performance.now() - started)) * 1000;
  child.kill();
  console.log(`\nloopback load served ${Math.round(rps).toLocaleString('en')} req/s meanwhile (child process ${child.pid})`);
  rmSync(dir, { recursive: true, force: true });
}
