/**
 * Exact response cache lookup cost: computing the key of a typical chat request (canonical JSON + sha256) and reading
 * it from the in-process store holding 1,000,000 answers, plus decoding the hit. Baseline in the same run: JSON.parse
 * of the same request body, work the gateway already does on every request.
 *
 *   node --max-old-space-size=8192 bench/exact-cache.mjs     # target: lookup <= 20 µs at 1M entries
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
mkdirSync(join(root, 'bench/results'), { recursive: true });
const dir = mkdtempSync(join(root, 'bench/results/exact-cache-'));
const entry = join(dir, 'entry.ts');
writeFileSync(entry, `
export { exactCacheKey } from '${root}src/policies/cache/exact-cache-key.ts';
export { encodeAnswer, decodeAnswer } from '${root}src/policies/cache/cached-answer.ts';
export { createMemoryCacheStore } from '${root}src/stores/memory/index.ts';
`);
await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: join(dir, 'bundle.mjs'), packages: 'external', logLevel: 'error' });
const { exactCacheKey, encodeAnswer, decodeAnswer, createMemoryCacheStore } = await import(join(dir, 'bundle.mjs'));
rmSync(dir, { recursive: true, force: true });

const entries = Number(process.argv[2] ?? 1_000_000);
const attribution = { keyId: 'k', team: 't', app: null, feature: 'faq', user: null, customer: null, session: null, tags: {} };
const key = { id: 'k' };
const body = (i) => ({
  model: 'gpt-4o-mini',
  temperature: 0,
  max_tokens: 300,
  messages: [
    { role: 'system', content: 'You are the support assistant of an online shop. Answer briefly and politely. '.repeat(8) },
    { role: 'user', content: `Where is my order number ${i}? It was due yesterday and I have not received any tracking email.` },
  ],
});
const callOf = (i) => ({ dialect: 'openai', endpoint: 'chat', body: body(i), bodyOverrides: null, target: { provider: 'openai', upstreamModel: 'gpt-4o-mini' }, key, attribution });
const usage = { inputTokens: 180, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 60, reasoningTokens: 0 };
const answer = (i) => encodeAnswer({ v: 1, storedAt: 0, response: { id: `r${i}`, model: 'gpt-4o-mini', created: 0, content: [{ type: 'text', text: `Your order ${i} left the warehouse this morning; the tracking email is on its way.` }], finishReason: 'stop', usage }, provider: 'openai', upstreamModel: 'gpt-4o-mini', servedModel: 'gpt-4o-mini-2024-07-18', usage, priceRef: 'genai-prices:openai/gpt-4o-mini', costUsd: 0.000063 });

const store = createMemoryCacheStore({ now: () => 0, maxEntries: entries + 1 });
const fillStart = performance.now();
for (let i = 0; i < entries; i++) await store.set(exactCacheKey(callOf(i), 'key'), answer(i), 3_600_000);
const fillMs = performance.now() - fillStart;

const rounds = 50_000;
const calls = Array.from({ length: rounds }, (_, i) => callOf((i * 7919) % entries));
const raw = calls.map((call) => JSON.stringify(call.body));
function time(label, fn) {
  for (let i = 0; i < 2_000; i++) fn(i);
  const start = performance.now();
  return Promise.resolve()
    .then(async () => {
      for (let i = 0; i < rounds; i++) await fn(i);
    })
    .then(() => ({ label, us: ((performance.now() - start) * 1000) / rounds }));
}
const results = [];
results.push(await time('baseline: JSON.parse of the request body', (i) => JSON.parse(raw[i])));
results.push(await time('key: canonical JSON + sha256', (i) => exactCacheKey(calls[i], 'key')));
results.push(await time('key + store.get (hit)', async (i) => store.get(exactCacheKey(calls[i], 'key'))));
results.push(await time('key + store.get + decode (hit)', async (i) => decodeAnswer(await store.get(exactCacheKey(calls[i], 'key')))));
results.push(await time('key + store.get (miss)', async (i) => store.get(exactCacheKey(callOf(entries + i), 'key'))));

console.log(`exact cache, ${entries.toLocaleString('en')} entries (filled in ${(fillMs / 1000).toFixed(1)} s, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB)`);
console.log('| operation | µs per lookup |');
console.log('| --- | ---: |');
for (const result of results) console.log(`| ${result.label} | ${result.us.toFixed(2)} |`);
