/**
 * Evaluation of the built-in complexity classifier as a two-model router (gpt-4-1106-preview vs Mixtral-8x7B) on the
 * HELD-OUT test split only (split declared in bench/routing/datasets.mjs), with the random-router and oracle lines
 * from the same data, and the per-request decision latency.
 *
 *   node bench/routing/evaluate-router.mjs            # prints the tables; writes bench/results/routing-eval.json
 *
 * Cost:
 * - routellm (MMLU, GSM8K): both the strong-call share (RouteLLM's metric) and a token-priced cost: GPT-4-1106
 *   $10 / $30 per Mtok in/out vs Mixtral $0.6 / $0.6, input = prompt chars / 4, output = the model's recorded
 *   response chars / 4 (GSM8K) or 5 tokens (MMLU answers a letter; no responses are recorded).
 * - routerbench_zs: each prompt's real USD cost for the two models.
 * The scores come from the gateway's own code (src/policies/routing/classifier, bundled with esbuild).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { SOURCES, loadAll, toInput } from './datasets.mjs';
import { apgr, auc, cpt, oracleCurve, pointAt, randomAt, randomCpt, routingCurve } from './metrics.mjs';

const root = new URL('../..', import.meta.url).pathname;
mkdirSync(join(root, 'bench/results'), { recursive: true });
const dir = mkdtempSync(join(root, 'bench/results/evaluate-router-'));
const entry = join(dir, 'entry.ts');
writeFileSync(entry, `export * from '${root}src/policies/routing/classifier/index.ts';\n`);
await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: join(dir, 'bundle.mjs'), packages: 'external', logLevel: 'error' });
const { createBuiltinClassifier } = await import(join(dir, 'bundle.mjs'));
rmSync(dir, { recursive: true, force: true });

const PRICES = { strong: { input: 10, output: 30 }, weak: { input: 0.6, output: 0.6 } };
const tokens = (chars) => Math.ceil(chars / 4);
function costOf(item) {
  if (item.strongUsd !== undefined) return { strong: item.strongUsd, weak: item.weakUsd };
  const input = tokens(item.prompt.length);
  const strongOut = item.strongOutChars === undefined ? 5 : tokens(item.strongOutChars);
  const weakOut = item.weakOutChars === undefined ? 5 : tokens(item.weakOutChars);
  return { strong: (input * PRICES.strong.input + strongOut * PRICES.strong.output) / 1e6, weak: (input * PRICES.weak.input + weakOut * PRICES.weak.output) / 1e6 };
}

const pct = (value) => (value === null || value === undefined ? '   n/a' : `${(value * 100).toFixed(1).padStart(5)}%`);
const saved = (curve, point) => (point === null ? null : 1 - point.cost / curve.strongCost);

const classifier = createBuiltinClassifier();
const { items } = loadAll();
const test = items.filter((item) => item.split === 'test');
const scores = test.map((item) => classifier.score(toInput(item.prompt)).score);

const report = { classifier: classifier.id, sources: {} };
const headline = [];
for (const source of SOURCES) {
  const picked = test.map((item, i) => [item, scores[i]]).filter(([item]) => item.source === source);
  const subset = picked.map(([item]) => item);
  const curve = routingCurve(subset, picked.map(([, s]) => s), costOf);
  const oracle = oracleCurve(subset, costOf);
  const router95 = cpt(curve);
  const random95 = randomCpt(curve);
  const oracle95 = cpt(oracle);
  console.log(`\n## ${source}: ${subset.length} held-out prompts; strong ${pct(curve.strongQuality)}, weak ${pct(curve.weakQuality)}, 95% target ${pct(0.95 * curve.strongQuality)}; AUC ${auc(subset, picked.map(([, s]) => s)).toFixed(3)}, APGR ${apgr(curve).toFixed(3)} (random 0.5)`);
  console.log('| strong calls | router quality | router cost saved | random quality | random cost saved | oracle quality | oracle cost saved |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  const rows = [];
  for (let step = 0; step <= 10; step += 1) {
    const share = step / 10;
    const r = pointAt(curve, share);
    const q = randomAt(curve, share);
    const o = pointAt(oracle, share);
    rows.push({ share, router: r, random: q, oracle: o });
    console.log(`| ${pct(share)} | ${pct(r.quality)} | ${pct(saved(curve, r))} | ${pct(q.quality)} | ${pct(saved(curve, q))} | ${pct(o.quality)} | ${pct(saved(oracle, o))} |`);
  }
  const entry = {
    n: subset.length, strongQuality: curve.strongQuality, weakQuality: curve.weakQuality,
    router95: router95 && { share: router95.share, callsSaved: 1 - router95.share, costSaved: saved(curve, router95) },
    random95: random95 && { share: random95.share, callsSaved: 1 - random95.share, costSaved: saved(curve, random95) },
    oracle95: oracle95 && { share: oracle95.share, callsSaved: 1 - oracle95.share, costSaved: saved(oracle, oracle95) },
    apgr: apgr(curve), curve: rows,
  };
  report.sources[source] = entry;
  headline.push([source, entry]);
}

console.log('\n## At 95% of the strong model\'s quality (CPT 95%), held-out test split');
console.log('| data set | n | router: strong calls | router: calls saved | router: cost saved | random: calls saved | random: cost saved | oracle: calls saved | oracle: cost saved | RouteLLM published (calls) |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
const published = { mmlu: '45%', gsm8k: '35%' };
for (const [source, e] of headline) {
  console.log(`| ${source} | ${e.n} | ${pct(e.router95?.share)} | ${pct(e.router95?.callsSaved)} | ${pct(e.router95?.costSaved)} | ${pct(e.random95?.callsSaved)} | ${pct(e.random95?.costSaved)} | ${pct(e.oracle95?.callsSaved)} | ${pct(e.oracle95?.costSaved)} | ${published[source] ?? '-'} |`);
}

// Decision latency: one score() per held-out prompt, timed one by one after a warm-up; baseline in the same run:
// JSON.parse of the request body the gateway already parses on every request.
const bodies = test.map((item) => JSON.stringify({ model: 'jevons/auto', messages: [{ role: 'user', content: item.prompt }] }));
// Inputs as the gateway sees them: strings that come out of JSON.parse of a request body.
const inputs = bodies.map((body) => toInput(JSON.parse(body).messages[0].content));
/** Wall time of each call (p50 / p99 per prompt-size band) and CPU time of the whole timed loop (mean). */
function timeEach(fn) {
  for (let round = 0; round < 3; round += 1) for (let i = 0; i < inputs.length; i += 1) fn(i);
  const samples = [];
  const cpu = process.cpuUsage();
  for (let round = 0; round < 3; round += 1) {
    for (let i = 0; i < inputs.length; i += 1) {
      const start = process.hrtime.bigint();
      fn(i);
      samples.push([Number(process.hrtime.bigint() - start) / 1000, i]);
    }
  }
  const used = process.cpuUsage(cpu);
  const bands = {};
  for (const [name, low, high] of [['all', 0, Infinity], ['< 500 chars', 0, 500], ['500-2000 chars', 500, 2000], ['>= 2000 chars', 2000, Infinity]]) {
    const picked = samples.filter(([, i]) => test[i].prompt.length >= low && test[i].prompt.length < high).map(([us]) => us).sort((a, b) => a - b);
    const at = (q) => picked[Math.min(picked.length - 1, Math.floor(q * picked.length))];
    bands[name] = { n: picked.length / 3, p50: at(0.5), p99: at(0.99), max: picked[picked.length - 1] };
  }
  return { bands, cpuMean: (used.user + used.system) / samples.length };
}
let sink = 0;
const latency = {
  score: timeEach((i) => { sink += classifier.score(inputs[i]).score; }),
  baseline: timeEach((i) => { sink += JSON.parse(bodies[i]).messages.length; }),
};
const chars = test.map((item) => item.prompt.length).sort((a, b) => a - b);
console.log(`\n## Decision latency per request (${inputs.length} held-out prompts x 3 rounds, prompt chars p50 ${chars[chars.length >> 1]}, p99 ${chars[Math.floor(chars.length * 0.99)]}, max ${chars[chars.length - 1]})`);
console.log('| operation | prompts | n | p50 µs | p99 µs | max µs | mean CPU µs (all) |');
console.log('|---|---|---:|---:|---:|---:|---:|');
for (const [name, l] of [['classifier.score (features + dot product)', latency.score], ['baseline: JSON.parse of the request body', latency.baseline]]) {
  for (const [band, b] of Object.entries(l.bands)) {
    console.log(`| ${name} | ${band} | ${b.n} | ${b.p50.toFixed(2)} | ${b.p99.toFixed(2)} | ${b.max.toFixed(1)} | ${band === 'all' ? l.cpuMean.toFixed(2) : ''} |`);
  }
}
report.latency = latency;
writeFileSync(join(root, 'bench/results/routing-eval.json'), `${JSON.stringify(report, null, 2)}\n`);
if (sink === -1) console.log('');
