/**
 * Cost of a routing decision: CPU per request of the route policy with routing configured (src/policies/route.ts,
 * src/policies/routing), next to a baseline measured in the same run: the same policy with no routing (resolve by
 * model name only). Cases:
 *   pinned     a named model, routing configured, no rule matches (the rule scan only)
 *   rule       a rule by feature picks a tier (+ the tier's reasoning budget)
 *   header     x-jevons-tier picks a tier
 *   auto       jevons/auto: the caller's body parsed to the canonical request + the builtin classifier
 *   auto-long  jevons/auto on a 6-turn conversation of ~9 KB
 *   shadow     shadow mode: a rule's decision recorded, with the estimate function of server/main.ts stubbed
 *
 *   node bench/routing-decision.mjs      # target: a decision costs <= 50 µs per request
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
mkdirSync(join(root, 'bench/results'), { recursive: true });
const dir = mkdtempSync(join(root, 'bench/results/routing-'));
const entry = join(dir, 'entry.ts');
writeFileSync(entry, [
  `export { route } from '${root}src/policies/route.ts';`,
  `export { createRoutingRuntime } from '${root}src/policies/routing/routing-runtime.ts';`,
  `export { createModelCatalog } from '${root}src/pipeline/model-catalog.ts';`,
  `export { routingSchema } from '${root}src/spec/config/routing-schema.ts';`,
  `export { dialects } from '${root}src/server/dispatch/codecs.ts';`,
].join('\n'));
const out = join(dir, 'bundle.mjs');
await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'error', packages: 'external' });
const lib = await import(out);
rmSync(dir, { recursive: true, force: true });

const catalog = lib.createModelCatalog({ providers: [{ name: 'openai', type: 'openai' }, { name: 'anthropic', type: 'anthropic' }], models: [] });
const resolve = (model) => catalog.resolve(model);
const routingConfig = {
  tiers: [
    { name: 'small', models: ['gpt-4o-mini', 'claude-haiku-4-5'], reasoning: { effort: 'low' } },
    { name: 'medium', models: ['gpt-4o', 'claude-sonnet-4-5'] },
    { name: 'large', models: ['claude-opus-4-1', 'gpt-4.1'] },
  ],
  rules: [
    { match: { team: 'research' }, tier: 'large' },
    { match: { tags: { env: 'batch' } }, tier: 'small' },
    { match: { feature: 'support' }, tier: 'small' },
  ],
  auto: { thresholds: [0.5, 0.6] },
};
const runtimeFor = (mode) =>
  lib.createRoutingRuntime({
    config: lib.routingSchema.parse({ ...routingConfig, mode }),
    resolve,
    toCanonical: (call) => lib.dialects[call.dialect].parse(call.body),
    fetch: () => Promise.reject(new Error('unused')),
    estimateCostFor: () => 0.0001,
  }).runtime;

const baseline = lib.route({ resolve, describe: () => '' });
const serving = lib.route({ resolve, describe: () => '', routing: runtimeFor('serve') });
const shadowing = lib.route({ resolve, describe: () => '', routing: runtimeFor('shadow') });

const question = 'A train leaves at 3:15 pm travelling 84 km/h; a second train leaves the same station at 4:05 pm travelling 112 km/h. When does the second catch the first? Show every calculation.';
const long = [{ role: 'system', content: 'You are a careful assistant. '.repeat(40) }];
for (let turn = 0; turn < 6; turn += 1) long.push({ role: 'user', content: `${question} `.repeat(4) }, { role: 'assistant', content: 'Let me work through it. '.repeat(30) });
long.push({ role: 'user', content: question });

function makeCall({ model = 'gpt-4o', feature = null, headers = {}, messages = [{ role: 'user', content: question }] }) {
  const body = { model, messages };
  return {
    requestId: 'r', dialect: 'openai', endpoint: 'chat', receivedAt: 0, headers, body, rawBody: Buffer.from(JSON.stringify(body)), model, stream: false,
    bodyUser: null, credential: null, key: null,
    attribution: { keyId: null, team: null, app: null, feature, user: null, customer: null, session: null, tags: {} },
    target: null, routing: null, bodyOverrides: null, attempts: [], controller: null, clientAborted: false, response: null,
    marks: { received: 0, upstreamSent: 0, upstreamHeaders: 0 },
  };
}
const next = async () => {};

const cases = [
  ['baseline (no routing)', baseline, {}],
  ['pinned', serving, {}],
  ['rule', serving, { feature: 'support' }],
  ['header', serving, { headers: { 'x-jevons-tier': 'medium' } }],
  ['auto', serving, { model: 'jevons/auto' }],
  ['auto-long', serving, { model: 'jevons/auto', messages: long }],
  ['shadow', shadowing, { feature: 'support' }],
];

async function measure(policy, spec, iterations) {
  // Calls are built outside the timed loop, as the server builds them before the policies run.
  const calls = Array.from({ length: iterations }, () => makeCall(spec));
  const start = process.cpuUsage();
  for (const call of calls) await policy(call, next);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / iterations;
}

const results = [];
for (const [name, policy, spec] of cases) {
  await measure(policy, spec, 5_000); // warm-up
  const runs = [];
  for (let run = 0; run < 5; run += 1) runs.push(await measure(policy, spec, 20_000));
  runs.sort((a, b) => a - b);
  results.push({ name, median: runs[2] });
}
const base = results[0].median;
console.log('| case | CPU µs / request (median of 5 × 20k) | added vs baseline µs |');
console.log('|---|---:|---:|');
for (const { name, median } of results) console.log(`| ${name} | ${median.toFixed(2)} | ${(median - base).toFixed(2)} |`);
