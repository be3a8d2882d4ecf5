/**
 * Offline training of the built-in complexity classifier (src/policies/routing/classifier).
 *
 *   node bench/routing/train-router.mjs          # writes src/policies/routing/classifier/weights.generated.ts
 *                                                #    and bench/routing/train-metrics.json
 *
 * Reproducible: the data split is a hash of each prompt (bench/routing/datasets.mjs), training is full-batch
 * Adam on the logistic loss with L2 from zero weights (no randomness at all), and the feature extractor is the
 * gateway's own code, bundled with esbuild, so training and serving cannot drift.
 * Model selection uses only the validation quarter of the train split (APGR averaged over the five sources, weighted by sqrt(n)); the
 * chosen configuration is then refit on the whole train split. Nothing here reads the test split.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { SOURCES, TRAIN_PERCENT, loadAll, toInput } from './datasets.mjs';
import { apgr, auc, cpt, routingCurve } from './metrics.mjs';

const root = new URL('../..', import.meta.url).pathname;
mkdirSync(join(root, 'bench/results'), { recursive: true });
const dir = mkdtempSync(join(root, 'bench/results/train-router-'));
const entry = join(dir, 'entry.ts');
writeFileSync(entry, `export * from '${root}src/policies/routing/classifier/features.ts';\n`);
await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: join(dir, 'bundle.mjs'), packages: 'external', logLevel: 'error' });
const { extractFeatures, DENSE_COUNT, DENSE_FEATURES, FEATURE_COUNT, FEATURE_VERSION, HASH_BUCKETS } = await import(join(dir, 'bundle.mjs'));
rmSync(dir, { recursive: true, force: true });

const SEED_NOTE = 'deterministic: full-batch Adam from zero weights, no random numbers';
const ITERATIONS = 400;
const LEARNING_RATE = 0.05;
const GRID = [];
for (const label of ['binary', 'soft']) for (const lambda of [3e-4, 1e-3, 3e-3]) for (const weighting of ['natural', 'balanced']) GRID.push({ label, lambda, weighting });

/** Feature rows in sparse form: dense values (standardised later) + non-zero lexical slots. */
function featurize(items) {
  return items.map((item) => {
    const x = extractFeatures(toInput(item.prompt));
    const slots = [];
    const values = [];
    for (let slot = DENSE_COUNT; slot < FEATURE_COUNT; slot += 1) if (x[slot] !== 0) { slots.push(slot); values.push(x[slot]); }
    return { dense: x.slice(0, DENSE_COUNT), slots: Int32Array.from(slots), values: Float64Array.from(values) };
  });
}

function standardisation(rows) {
  const mean = new Float64Array(DENSE_COUNT);
  const std = new Float64Array(DENSE_COUNT);
  for (const row of rows) for (let j = 0; j < DENSE_COUNT; j += 1) mean[j] += row.dense[j] / rows.length;
  for (const row of rows) for (let j = 0; j < DENSE_COUNT; j += 1) std[j] += (row.dense[j] - mean[j]) ** 2 / rows.length;
  for (let j = 0; j < DENSE_COUNT; j += 1) std[j] = std[j] > 1e-12 ? Math.sqrt(std[j]) : 1;
  return { mean, std };
}

const target = (item, label) => (label === 'binary' ? (item.strong > item.weak ? 1 : 0) : (item.strong - item.weak + 1) / 2);

function sampleWeights(items, weighting) {
  if (weighting === 'natural') return items.map(() => 1);
  const counts = new Map();
  for (const item of items) counts.set(item.source, (counts.get(item.source) ?? 0) + 1);
  return items.map((item) => items.length / counts.size / counts.get(item.source));
}

/** Logistic regression, weighted cross-entropy (soft targets allowed) + lambda/2 ||w||², full-batch Adam. */
function fit(items, rows, config) {
  const { mean, std } = standardisation(rows);
  const y = items.map((item) => target(item, config.label));
  const c = sampleWeights(items, config.weighting);
  const total = c.reduce((sum, value) => sum + value, 0);
  const size = FEATURE_COUNT + 1; // last = bias
  const w = new Float64Array(size);
  const m = new Float64Array(size);
  const v = new Float64Array(size);
  const grad = new Float64Array(size);
  for (let step = 1; step <= ITERATIONS; step += 1) {
    grad.fill(0);
    rows.forEach((row, i) => {
      let z = w[FEATURE_COUNT];
      for (let j = 0; j < DENSE_COUNT; j += 1) z += w[j] * (row.dense[j] - mean[j]) / std[j];
      for (let k = 0; k < row.slots.length; k += 1) z += w[row.slots[k]] * row.values[k];
      const g = (c[i] * (1 / (1 + Math.exp(-z)) - y[i])) / total;
      for (let j = 0; j < DENSE_COUNT; j += 1) grad[j] += g * (row.dense[j] - mean[j]) / std[j];
      for (let k = 0; k < row.slots.length; k += 1) grad[row.slots[k]] += g * row.values[k];
      grad[FEATURE_COUNT] += g;
    });
    for (let j = 0; j < size; j += 1) {
      const gj = grad[j] + (j < FEATURE_COUNT ? config.lambda * w[j] : 0);
      m[j] = 0.9 * m[j] + 0.1 * gj;
      v[j] = 0.999 * v[j] + 0.001 * gj * gj;
      w[j] -= (LEARNING_RATE * (m[j] / (1 - 0.9 ** step))) / (Math.sqrt(v[j] / (1 - 0.999 ** step)) + 1e-8);
    }
  }
  // Fold the standardisation into the weights: serving is a plain dot product on raw features.
  const weights = Array.from(w.subarray(0, FEATURE_COUNT));
  let bias = w[FEATURE_COUNT];
  for (let j = 0; j < DENSE_COUNT; j += 1) { weights[j] = w[j] / std[j]; bias -= (w[j] * mean[j]) / std[j]; }
  return { weights, bias };
}

function scoreRows(model, rows) {
  return rows.map((row) => {
    let z = model.bias;
    for (let j = 0; j < DENSE_COUNT; j += 1) z += model.weights[j] * row.dense[j];
    for (let k = 0; k < row.slots.length; k += 1) z += model.weights[row.slots[k]] * row.values[k];
    return 1 / (1 + Math.exp(-z));
  });
}

function perSource(items, scores) {
  const result = {};
  for (const source of SOURCES) {
    const picked = items.map((item, i) => [item, scores[i]]).filter(([item]) => item.source === source);
    const curve = routingCurve(picked.map(([item]) => item), picked.map(([, s]) => s));
    const point = cpt(curve);
    result[source] = { n: picked.length, apgr: round(apgr(curve)), auc: round(auc(picked.map(([item]) => item), picked.map(([, s]) => s))), strongShareAt95: point === null ? null : round(point.share) };
  }
  // Weighted by sqrt(n): small validation sets (MBPP: ~80 prompts) are too noisy to count as much as MMLU.
  const weight = (source) => Math.sqrt(result[source].n);
  result.meanApgr = round(SOURCES.reduce((sum, source) => sum + weight(source) * result[source].apgr, 0) / SOURCES.reduce((sum, source) => sum + weight(source), 0));
  return result;
}

const round = (value) => Math.round(value * 10_000) / 10_000;

const started = process.hrtime.bigint();
const { items: all, stats } = loadAll();
const train = all.filter((item) => item.split === 'train');
const rows = featurize(train);
const inner = train.map((item, i) => [item, rows[i]]).filter(([item]) => !item.validation);
const validation = train.map((item, i) => [item, rows[i]]).filter(([item]) => item.validation);

const grid = GRID.map((config) => {
  const model = fit(inner.map(([item]) => item), inner.map(([, row]) => row), config);
  const result = perSource(validation.map(([item]) => item), scoreRows(model, validation.map(([, row]) => row)));
  console.log(`${config.label.padEnd(6)} lambda=${String(config.lambda).padEnd(6)} ${config.weighting.padEnd(8)} mean APGR ${result.meanApgr.toFixed(4)}  ${SOURCES.map((s) => `${s} ${result[s].apgr.toFixed(3)}`).join('  ')}`);
  return { config, validation: result };
});
const best = grid.reduce((a, b) => (b.validation.meanApgr > a.validation.meanApgr ? b : a));
console.log(`chosen: ${JSON.stringify(best.config)}`);

const model = fit(train, rows, best.config);
const digest = createHash('sha256').update(JSON.stringify(model)).digest('hex').slice(0, 10);
const id = `builtin-complexity-lr-v${FEATURE_VERSION}-${digest}`;
const fmt = (value) => String(Number(value.toPrecision(6)));
const lines = [];
for (let i = 0; i < model.weights.length; i += 16) lines.push(`    ${model.weights.slice(i, i + 16).map(fmt).join(', ')},`);
writeFileSync(join(root, 'src/policies/routing/classifier/weights.generated.ts'), `/**
 * GENERATED by bench/routing/train-router.mjs — do not edit by hand; rerun the script instead.
 * Logistic regression over extractFeatures() (feature version ${FEATURE_VERSION}, ${HASH_BUCKETS} hash buckets), trained on the
 * train split of routellm-evals (MMLU, GSM8K) and routerbench_zs (ARC-C, MBPP, Winogrande); config ${JSON.stringify(best.config)}.
 * Metrics and split: bench/routing/train-metrics.json, docs/routing-classifier.md.
 */
import type { LinearWeights } from './linear-classifier.js';

export const BUILTIN_WEIGHTS: LinearWeights = {
  id: '${id}',
  featureVersion: ${FEATURE_VERSION},
  hashBuckets: ${HASH_BUCKETS},
  denseNames: [${DENSE_FEATURES.map((name) => `'${name}'`).join(', ')}],
  bias: ${fmt(model.bias)},
  weights: [
${lines.join('\n')}
  ],
};
`);

const trainFit = perSource(train, scoreRows(model, rows));
const denseWeights = Object.fromEntries(DENSE_FEATURES.map((name, j) => [name, round(model.weights[j])]));
writeFileSync(join(root, 'bench/routing/train-metrics.json'), `${JSON.stringify({
  id,
  command: 'node bench/routing/train-router.mjs',
  determinism: SEED_NOTE,
  split: `routellm MMLU/GSM8K: sha256(prompt) uint32 mod 100 < ${TRAIN_PERCENT} → train, rest → test (contaminated prompts dropped); routerbench_zs: its own train/test csv; validation = train items with sha256 byte 4 mod 4 == 0`,
  excluded: stats,
  counts: Object.fromEntries(SOURCES.map((s) => [s, { train: train.filter((i) => i.source === s).length, validation: validation.filter(([i]) => i.source === s).length, test: all.filter((i) => i.source === s && i.split === 'test').length }])),
  optimiser: { kind: 'logistic regression, L2, full-batch Adam', iterations: ITERATIONS, learningRate: LEARNING_RATE },
  grid,
  chosen: best.config,
  trainFit,
  denseWeights,
}, null, 2)}\n`);
console.log(`wrote weights ${id} in ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s; train-fit mean APGR ${trainFit.meanApgr}`);
