/**
 * Cost of costing: what pricing one usage record adds to a request (catalog lookup + computeCost, as the gateway's
 * pricer does it), next to a baseline measured in the same run: reading the usage of a typical non-streamed chat
 * completion (JSON.parse + the usage reader), work the gateway already does on every request.
 *
 *   node bench/costing.mjs            # prints a table; target: costing <= 5 µs per request
 *
 * The sources are bundled with esbuild (a tsup dependency) into a temp dir first, so the numbers are for the same
 * code the gateway runs.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
// Inside the repository, so the bundle resolves the dependencies from node_modules.
mkdirSync(join(root, 'bench/results'), { recursive: true });
const dir = mkdtempSync(join(root, 'bench/results/costing-'));
const entry = join(dir, 'entry.ts');
writeFileSync(entry, `
export { createPriceCatalog, computeCost } from '${root}src/pricing/index.ts';
export { readOpenAIUsage } from '${root}src/providers/openai/openai-usage-tap.ts';
`);
await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: join(dir, 'bundle.mjs'), packages: 'external', logLevel: 'error' });
const { createPriceCatalog, computeCost, readOpenAIUsage } = await import(join(dir, 'bundle.mjs'));
rmSync(dir, { recursive: true, force: true });

const usage = (parts) => ({ inputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 0, reasoningTokens: 0, ...parts });
const catalog = createPriceCatalog({
  overrides: [
    {
      refPath: 'models.house-4o',
      model: 'gpt-4o',
      providerFamily: 'openai',
      versions: [
        { effectiveFrom: null, requestUsd: 0, base: { inputPerMtok: 2, outputPerMtok: 8 }, tiers: [], serviceTiers: {} },
        { effectiveFrom: Date.parse('2026-06-01'), requestUsd: 0, base: { inputPerMtok: 1.5, outputPerMtok: 6 }, tiers: [], serviceTiers: { batch: { factor: 0.5 } } },
      ],
    },
  ],
});

/** The gateway's pricer: served snapshot id first, then the requested id. */
function price(family, models, record, at) {
  for (const model of models) {
    const entry = catalog.lookup({ providerFamily: family, model, at });
    if (entry !== null) return computeCost(record, entry);
  }
  return null;
}

const now = Date.now();
const cases = [
  ['gpt-4o-mini (fixed price, snapshot id)', () => price('openai', ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini'], usage({ inputTokens: 900, cacheReadTokens: 1024, outputTokens: 120 }), now)],
  ['claude-sonnet-4-5 (context tiers, 5m+1h writes)', () => price('anthropic', ['claude-sonnet-4-5-20250929'], usage({ inputTokens: 150_000, cacheReadTokens: 40_000, cacheWrite5mTokens: 12_000, cacheWrite1hTokens: 3_000, outputTokens: 900 }), now)],
  ['gemini-2.5-flash (audio + thoughts)', () => price('google', ['gemini-2.5-flash'], usage({ inputTokens: 4_000, inputAudioTokens: 1_000, outputTokens: 700, reasoningTokens: 500 }), now)],
  ['deepseek-chat (daily off-peak window)', () => price('deepseek', ['deepseek-chat'], usage({ inputTokens: 2_000, cacheReadTokens: 6_000, outputTokens: 300 }), now)],
  ['gpt-4o (dated config versions, batch tier)', () => price('openai', ['gpt-4o'], usage({ inputTokens: 2_000, outputTokens: 300, serviceTier: 'batch' }), now)],
  ['gpt-5-mini (flex tier)', () => price('openai', ['gpt-5-mini'], usage({ inputTokens: 2_000, outputTokens: 3_000, reasoningTokens: 2_500, serviceTier: 'flex' }), now)],
];

const body = JSON.stringify({
  id: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
  object: 'chat.completion',
  created: 1741570283,
  model: 'gpt-4o-2024-08-06',
  choices: [{ index: 0, message: { role: 'assistant', content: 'The image shows a wooden boardwalk path running through a lush green field or meadow. The sky is bright blue with some scattered clouds, giving the scene a serene and peaceful atmosphere.', refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1117, completion_tokens: 46, total_tokens: 1163, prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 } },
  service_tier: 'default',
  system_fingerprint: 'fp_fc9f1d7035',
});
const baseline = ['baseline: parse + read usage of a chat completion', () => readOpenAIUsage(JSON.parse(body))];

let sink = 0;
function measure(fn, iterations) {
  for (let index = 0; index < 20_000; index += 1) sink += fn() === null ? 0 : 1;
  const start = process.hrtime.bigint();
  for (let index = 0; index < iterations; index += 1) sink += fn() === null ? 0 : 1;
  return Number(process.hrtime.bigint() - start) / 1000 / iterations;
}

// Cold: the first lookup of a model resolves it through genai-prices (once per model per process).
const coldStart = process.hrtime.bigint();
price('openai', ['gpt-4.1-nano'], usage({ inputTokens: 1 }), now);
const coldUs = Number(process.hrtime.bigint() - coldStart) / 1000;

const rounds = 5;
const iterations = 200_000;
const rows = [];
for (const [name, fn] of [baseline, ...cases]) {
  const samples = [];
  for (let round = 0; round < rounds; round += 1) samples.push(measure(fn, iterations));
  samples.sort((a, b) => a - b);
  rows.push({ name, us: samples[Math.floor(rounds / 2)] });
}
const base = rows[0].us;
const pad = (text, width) => String(text).padEnd(width);
console.log(`| ${pad('case', 52)} | µs/op (median of ${rounds}) | ratio to baseline |`);
console.log(`|${'-'.repeat(54)}|${'-'.repeat(24)}|${'-'.repeat(19)}|`);
for (const row of rows) console.log(`| ${pad(row.name, 52)} | ${pad(row.us.toFixed(3), 22)} | ${pad((row.us / base).toFixed(2), 17)} |`);
const worst = Math.max(...rows.slice(1).map((row) => row.us));
console.log(`\nworst costing case: ${worst.toFixed(3)} µs per request (target <= 5 µs); cold first lookup of a model: ${coldUs.toFixed(0)} µs once per model`);
if (sink === 0) console.log('');
