/**
 * Cost of governance: CPU per request that budgets (4 scopes), one agent circuit breaker and one rate limit add to the
 * policy chain, next to a baseline measured in the same run: the same chain without them.
 *
 *   baseline:   authenticate(none) → attribute → route → meter(no-op enqueue) → fake dispatcher
 *   governance: authenticate(none) → attribute → route → breakers → rate limits → budgets → meter → fake dispatcher
 *
 * The fake dispatcher appends one attempt with a fixed usage and cost, as the real one does after the upstream call.
 * The estimate the policies reserve with is the real one (estimateCall, cached per call as in server/main.ts: the
 * calibrated estimate with its safety factor, not the tokenizer), so its cost is part of governance. Counters: the in-memory CounterStore.
 *
 *   node bench/governance.mjs        # prints a table; target: governance adds <= 30 µs CPU per request
 *
 * The sources are bundled with esbuild (as bench/costing.mjs does), so the numbers are for the code the gateway runs.
 * A governance factory whose file does not exist yet is left out and reported as MISSING.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const parts = {
  breakers: { file: 'src/policies/breakers/breaker-policy.ts', export: 'breakers' },
  rateLimits: { file: 'src/policies/rate-limits/rate-limit-policy.ts', export: 'rateLimits' },
  budgets: { file: 'src/policies/budgets/budget-policy.ts', export: 'budgets' },
};
const present = Object.fromEntries(Object.entries(parts).map(([name, part]) => [name, existsSync(join(root, part.file))]));

mkdirSync(join(root, 'bench/results'), { recursive: true });
const dir = mkdtempSync(join(root, 'bench/results/governance-'));
const entry = join(dir, 'entry.ts');
writeFileSync(entry, [
  `export { compose } from '${root}src/pipeline/call.ts';`,
  `export { authenticate } from '${root}src/policies/authenticate.ts';`,
  `export { attribute } from '${root}src/policies/attribute.ts';`,
  `export { route } from '${root}src/policies/route.ts';`,
  `export { meter } from '${root}src/policies/meter.ts';`,
  `export { createContextWindowLookup } from '${root}src/policies/estimate-cost.ts';`,
  `export { estimateCall } from '${root}src/server/estimate-endpoint.ts';`,
  `export { createPriceCatalog } from '${root}src/pricing/index.ts';`,
  `export { estimateChatTokens } from '${root}src/tokens/index.ts';`,
  `export { createMemoryCounterStore } from '${root}src/stores/memory/index.ts';`,
  `export { governanceSchemas } from '${root}src/spec/config/governance-schema.ts';`,
  ...Object.entries(parts).filter(([name]) => present[name]).map(([, part]) => `export { ${part.export} } from '${root}${part.file}';`),
].join('\n'));
await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: join(dir, 'bundle.mjs'), packages: 'external', logLevel: 'error' });
const lib = await import(join(dir, 'bundle.mjs'));
rmSync(dir, { recursive: true, force: true });

// --- configuration: limits high enough that nothing is refused, so every request does the whole work ---
const config = {
  budgets: lib.governanceSchemas.budgets.parse([
    { name: 'global-monthly', period: 'monthly', limit_usd: 1e9 },
    { name: 'per-team-daily', scope: { team: '*' }, period: 'daily', limit_usd: 1e9, limit_tokens: 1e12 },
    { name: 'per-feature-weekly', scope: { feature: '*' }, period: 'weekly', limit_usd: 1e9 },
    { name: 'per-user-rolling', scope: { user: '*' }, period: 'rolling', window: '1h', limit_usd: 1e9 },
  ]),
  breakers: lib.governanceSchemas.breakers.parse([{ name: 'agents', window: '10m', max_cost_usd: 1e9, max_calls: 1e9, action: 'shadow' }]),
  rateLimits: lib.governanceSchemas.rate_limits.parse([{ name: 'per-user', scope: { user: '*' }, requests_per_minute: 1e9, tokens_per_minute: 1e12, usd_per_hour: 1e9 }]),
};

const now = () => Date.now();
let ids = 0;
const newId = () => `id-${(ids += 1)}`;
const catalog = lib.createPriceCatalog({ overrides: [] });
const runtime = { name: 'openai', type: 'openai', wire: 'openai', priceFamily: 'openai', origin: 'http://127.0.0.1:1', basePath: '/v1', apiKey: null, quirks: null, timeouts: {}, pool: null };
const runtimes = new Map([['openai', runtime]]);
const contextWindow = lib.createContextWindowLookup();
const estimates = new WeakMap();
const estimateOf = (call) => {
  let found = estimates.get(call);
  if (found === undefined) {
    found = lib.estimateCall(call, { runtimes, catalog, count: lib.estimateChatTokens, fastCount: true, now, contextWindow }).estimate;
    estimates.set(call, found);
  }
  return found;
};
let events = 0;
const recordEvent = () => {
  events += 1;
};

function governancePolicies(only = null) {
  const counters = lib.createMemoryCounterStore({ now });
  const list = [];
  const want = (name) => present[name] && (only === null || only === name);
  if (want('breakers')) list.push(lib.breakers({ breakers: config.breakers, estimate: estimateOf, recordEvent, now, newId }));
  if (want('rateLimits')) list.push(lib.rateLimits({ limits: config.rateLimits, counters, estimate: estimateOf, recordEvent, now, newId }));
  // Budgets: BudgetPolicyOptions of src/policies/budgets/budget-policy.ts; restore finds an empty ledger.
  if (want('budgets')) list.push(lib.budgets({ budgets: config.budgets, counters, estimate: estimateOf, resolveModel, restore: async () => ({ usd: 0, tokens: 0 }), recordEvent, now, newId }));
  return list;
}

const resolveModel = (model) => (model === 'gpt-4o-mini' ? { provider: 'openai', upstreamModel: 'gpt-4o-mini' } : null);

function chain(governance) {
  const policies = [
    lib.authenticate({ mode: 'none', findKey: async () => null }),
    lib.attribute(),
    lib.route({ resolve: resolveModel, describe: () => 'gpt-4o-mini' }),
    ...governance,
    lib.meter({ enqueue: () => {}, configHash: 'bench', newId }),
  ];
  return lib.compose(policies, async (call) => {
    call.attempts.push({
      provider: 'openai', upstreamModel: 'gpt-4o-mini', servedModel: 'gpt-4o-mini-2024-07-18', startedAt: call.receivedAt, firstByteAt: call.receivedAt + 1, endedAt: call.receivedAt + 2,
      status: 200, errorCode: null, streamed: false, clientAborted: false, usageEstimated: false, priceRef: 'bench',
      usage: { inputTokens: 120, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 80, reasoningTokens: 0 },
      cost: { inputUsd: 0.000018, cacheReadUsd: 0, cacheWriteUsd: 0, outputUsd: 0.000048, requestUsd: 0, totalUsd: 0.000066 },
    });
  });
}

// --- requests: 200 users in 20 teams and 5 features, 500 agent sessions; each prompt differs (no loop is detected) ---
const words = ['invoice', 'refund', 'latency', 'cluster', 'shipping', 'pricing', 'contract', 'report', 'schema', 'deploy', 'billing', 'search'];
const response = { setHeader() {}, getHeader() {}, headersSent: false };
function makeCall(index) {
  const body = {
    model: 'gpt-4o-mini',
    max_tokens: 256,
    messages: [
      { role: 'system', content: 'You are a helpful assistant for the support team. Answer briefly.' },
      { role: 'user', content: `Ticket ${index}: the customer asks about ${words[index % 12]} and ${words[(index * 7) % 12]} for order ${index * 31}.` },
    ],
  };
  const rawBody = Buffer.from(JSON.stringify(body));
  return {
    requestId: `req-${index}`, dialect: 'openai', endpoint: 'chat', receivedAt: Date.now(),
    headers: { 'x-jevons-team': `team-${index % 20}`, 'x-jevons-feature': `feature-${index % 5}`, 'x-jevons-user': `user-${index % 200}`, 'x-jevons-session': `session-${index % 500}` },
    body, rawBody, model: 'gpt-4o-mini', stream: false, bodyUser: null, credential: null, key: null,
    attribution: null, target: null, bodyOverrides: null, attempts: [], controller: null, clientAborted: false, response,
    marks: { received: 0, upstreamSent: 0, upstreamHeaders: 0 },
  };
}

async function measure(handle, count, offset) {
  const calls = Array.from({ length: count }, (_, index) => makeCall(offset + index));
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (const call of calls) await handle(call);
  const wallUs = Number(process.hrtime.bigint() - start) / 1000 / count;
  const used = process.cpuUsage(cpu);
  return { cpuUs: (used.user + used.system) / count, wallUs };
}

const estimateOnly = async (call) => {
  call.target = { provider: 'openai', upstreamModel: 'gpt-4o-mini' };
  estimateOf(call);
};
const variants = [
  ['baseline: auth, attribute, route, meter', chain([])],
  ['estimate only (calibrated count + pricing)', estimateOnly],
  ['governance: + breakers, rate limits, budgets', chain(governancePolicies())],
  ...Object.keys(parts).filter((name) => present[name]).map((name) => [`  only ${name}`, chain(governancePolicies(name))]),
];
// Warm-up: tokenizer load, JIT, catalog memo.
for (const [, handle] of variants) await measure(handle, 5_000, 0);

const rounds = 5;
const count = 20_000;
const rows = variants.map(([name]) => ({ name, cpu: [], wall: [] }));
for (let round = 0; round < rounds; round += 1) {
  for (const [index, [, handle]] of variants.entries()) {
    const result = await measure(handle, count, 10_000 + round * count);
    rows[index].cpu.push(result.cpuUs);
    rows[index].wall.push(result.wallUs);
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const pad = (text, width) => String(text).padEnd(width);
console.log(`governance parts: ${Object.entries(present).map(([name, ok]) => `${name} ${ok ? 'ok' : 'MISSING'}`).join(', ')}; ${count} requests x ${rounds} rounds`);
console.log(`| ${pad('chain', 48)} | CPU µs/request (median) | wall µs/request |`);
console.log(`|${'-'.repeat(50)}|${'-'.repeat(25)}|${'-'.repeat(17)}|`);
for (const row of rows) console.log(`| ${pad(row.name, 48)} | ${pad(median(row.cpu).toFixed(2), 23)} | ${pad(median(row.wall).toFixed(2), 15)} |`);
const added = median(rows[2].cpu) - median(rows[0].cpu);
console.log(`\ngovernance adds ${added.toFixed(2)} µs CPU per request (target <= 30 µs), of which the estimate ~${median(rows[1].cpu).toFixed(2)} µs; events recorded: ${events}`);
