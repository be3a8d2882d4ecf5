// Ratios of the custom target (Jevons) against the floor (proxy-undici) and Portkey from ONE results.jsonl, and a
// check that the ledger holds a row for every request the load generators counted.
// Usage: node bench/ratios.mjs results.jsonl ledger.db
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const [resultsPath, dbPath] = process.argv.slice(2);
const rows = readFileSync(resultsPath, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
const by = {};
for (const row of rows) (by[row.target] ||= {})[row.run] = row;
const j = by.custom ?? {}, floor = by['proxy-undici'] ?? {}, pk = by.portkey ?? {}, direct = by.direct ?? {};
const fmt = (x, digits = 2) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(digits));
const ratio = (a, b) => (a && b ? (a / b).toFixed(2) : '–');

const peak = (x) => Math.max(0, ...Object.values(x).map((r) => r.gw_rss_peak_mb || r.gw_rss_hwm_mb || 0));
const table = [
  ['metric', 'jevons', 'floor (proxy-undici)', 'portkey', 'jevons / floor', 'jevons / portkey', 'target'],
  ['CPU µs/req (c32)', fmt(j.c32?.gw_cpu_us_per_req, 1), fmt(floor.c32?.gw_cpu_us_per_req, 1), fmt(pk.c32?.gw_cpu_us_per_req, 1), ratio(j.c32?.gw_cpu_us_per_req, floor.c32?.gw_cpu_us_per_req), ratio(j.c32?.gw_cpu_us_per_req, pk.c32?.gw_cpu_us_per_req), '≤ 150'],
  ['added p50 ms (c1)', fmt(j.c1?.p50_ms - direct.c1?.p50_ms, 3), fmt(floor.c1?.p50_ms - direct.c1?.p50_ms, 3), fmt(pk.c1?.p50_ms - direct.c1?.p50_ms, 3), '', '', '≤ 0.3'],
  ['added first-chunk p50 ms (stream c1)', fmt(j['stream-c1']?.p50_ms - direct['stream-c1']?.p50_ms, 3), fmt(floor['stream-c1']?.p50_ms - direct['stream-c1']?.p50_ms, 3), fmt(pk['stream-c1']?.p50_ms - direct['stream-c1']?.p50_ms, 3), '', '', '≤ 0.5'],
  ['RSS idle MB', fmt(j.idle?.gw_rss_idle_mb, 1), fmt(floor.idle?.gw_rss_idle_mb, 1), fmt(pk.idle?.gw_rss_idle_mb, 1), '', '', '≤ 80'],
  ['RSS peak MB (to c128)', fmt(peak(j), 1), fmt(peak(floor), 1), fmt(peak(pk), 1), '', '', '≤ 150'],
  ['RPS c32', fmt(j.c32?.rps, 0), fmt(floor.c32?.rps, 0), fmt(pk.c32?.rps, 0), ratio(j.c32?.rps, floor.c32?.rps), ratio(j.c32?.rps, pk.c32?.rps), ''],
];
const errors = ['c1', 'c32', 'c128', 'stream-c1', 'stream-c32', 'rate'].reduce((sum, k) => sum + (j[k]?.non2xx || 0) + (j[k]?.socket_errors || 0), 0);
table.push(['errors (all runs)', String(errors), '', '', '', '', '0']);
const widths = table[0].map((_, c) => Math.max(...table.map((r) => String(r[c]).length)));
console.log('\nJevons against the floor and Portkey, same run\n');
for (const [i, r] of table.entries()) {
  console.log('| ' + r.map((cell, c) => String(cell).padEnd(widths[c])).join(' | ') + ' |');
  if (i === 0) console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
}

if (dbPath) {
  const require = createRequire(new URL('../package.json', import.meta.url));
  const Database = require('better-sqlite3');
  const db = new Database(dbPath, { readonly: true });
  const ledger = db.prepare('select count(*) as n from ledger').get().n;
  // wrk counts completed requests; requests cut off when a run's time ends are not counted but may be metered.
  const sent = ['c1', 'c32', 'c128', 'stream-c1', 'stream-c32', 'rate'].reduce((sum, k) => sum + (j[k]?.requests || 0), 0);
  console.log(`\nledger rows: ${ledger}; requests completed in measured runs: ${sent} (+ warm-up and sample requests, also metered)`);
  db.close();
}
