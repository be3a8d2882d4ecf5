/**
 * Prefix caching on the Mooncake traces (../shared/data/mooncake-traces, SOURCE.md): how much of the reusable input
 * the prompt-cache policy's breakpoint placement and TTL choice realise on a provider cache with Anthropic's rules.
 *
 * Each request is a timestamp (ms), input_length and hash_ids of 512-token prefix blocks (equal id = same prefix).
 *   oracle     caches every block prefix, 5-minute TTL refreshed on every hit; a request reuses its longest run of
 *              live leading blocks. "achievable" = the oracle restricted to hits of at least the model minimum
 *              (1,024 tokens for Sonnet: a shorter prefix cannot be cached by any placement).
 *   policy     a provider cache that only holds prefixes ending at a breakpoint (written there, TTL refreshed on a
 *              read), fed with the breakpoints the policy places: `final` = the end of the prompt (its last full
 *              block: the trace's blocks are 512 tokens, the last one partial), `stable` = the end of the longest
 *              prefix seen in an earlier request (the conversation so far / a shared document, as the policy sees
 *              it from the message structure the trace does not carry); each only when its prefix reaches the
 *              minimum, at most 4 (policy MAX_BREAKPOINTS). The trace has no tools / system boundary, so the
 *              `system` rule has no position here. TTL: the policy's own chooser (createTtlChooser) per
 *              conversation root (the first two blocks), or fixed 5m.
 *   baseline   `stable` only: what a caller gets by marking the part it knows is shared.
 * Money at Anthropic Sonnet 4.5 prices: $3 input, $0.30 read, $3.75 5m write, $6 1h write per Mtok (output left out:
 * caching does not change it). A policy read is a hit anywhere a prefix was written, up to the request's length
 * (Anthropic looks back ~20 content blocks from each breakpoint; a conversation turn adds far fewer).
 *
 *   node bench/prefix-cache.mjs      # prints a table per trace; goal: policy >= 90% of achievable
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
mkdirSync(join(root, 'bench/results'), { recursive: true });
const dir = mkdtempSync(join(root, 'bench/results/prefix-cache-'));
const entry = join(dir, 'entry.ts');
writeFileSync(entry, `export { createTtlChooser, anthropicMinimumTokens, MAX_BREAKPOINTS, FIVE_MINUTES_MS, ONE_HOUR_MS } from '${root}src/policies/prompt-cache/index.ts';\n`);
await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: join(dir, 'bundle.mjs'), packages: 'external', logLevel: 'error' });
const lib = await import(join(dir, 'bundle.mjs'));
rmSync(dir, { recursive: true, force: true });

const BLOCK = 512;
const MODEL = 'claude-sonnet-4-5';
const MIN = lib.anthropicMinimumTokens(MODEL);
const TTL_MS = { '5m': lib.FIVE_MINUTES_MS, '1h': lib.ONE_HOUR_MS };
const PRICE = { input: 3, read: 0.3, write5m: 3.75, write1h: 6 };
const dataDir = join(root, '../shared/data/mooncake-traces');

const tokensOf = (request, blocks) => Math.min(blocks * BLOCK, request.input_length);

function load(name) {
  return readFileSync(join(dataDir, `${name}.jsonl`), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
}

/** Every block prefix cached, 5-minute TTL refreshed on use. */
function oracle(requests) {
  const lastUse = new Map();
  let reusable = 0;
  let achievable = 0;
  for (const request of requests) {
    let blocks = 0;
    for (const id of request.hash_ids) {
      const at = lastUse.get(id);
      if (at === undefined || request.timestamp - at > TTL_MS['5m']) break;
      blocks += 1;
    }
    const tokens = tokensOf(request, blocks);
    reusable += tokens;
    if (tokens >= MIN) achievable += tokens;
    for (const id of request.hash_ids) lastUse.set(id, request.timestamp);
  }
  return { reusable, achievable };
}

/** A provider cache holding prefixes only at breakpoints, with the placement rules named in `rules`. */
function simulate(requests, { rules, ttlChoice }) {
  const entries = new Map();
  const seen = new Set();
  const chooser = lib.createTtlChooser();
  const totals = { read: 0, write5m: 0, write1h: 0, input: 0 };
  for (const request of requests) {
    const ids = request.hash_ids;
    const now = request.timestamp;
    totals.input += request.input_length;
    let hit = 0;
    for (let position = ids.length; position >= 1; position -= 1) {
      const entry = entries.get(ids[position - 1]);
      if (entry !== undefined && now <= entry.expiresAt) {
        hit = position;
        entry.expiresAt = now + TTL_MS[entry.ttl];
        break;
      }
    }
    totals.read += tokensOf(request, hit);
    const ttl = ttlChoice ? chooser.observe(ids.slice(0, 2).join(','), now) : '5m';
    const full = request.input_length >= ids.length * BLOCK ? ids.length : ids.length - 1;
    let stable = 0;
    while (stable < ids.length && seen.has(ids[stable])) stable += 1;
    const positions = new Set();
    if (rules.includes('final') && full >= 1) positions.add(full);
    if (rules.includes('stable') && stable >= 1) positions.add(stable);
    const placed = [...positions].filter((position) => tokensOf(request, position) >= MIN).sort((a, b) => a - b).slice(-lib.MAX_BREAKPOINTS);
    let cachedUpTo = tokensOf(request, hit);
    for (const position of placed) {
      if (position > hit) {
        const written = tokensOf(request, position) - cachedUpTo;
        totals[ttl === '1h' ? 'write1h' : 'write5m'] += written;
        cachedUpTo = tokensOf(request, position);
      }
      const existing = entries.get(ids[position - 1]);
      if (existing === undefined || position > hit) entries.set(ids[position - 1], { expiresAt: now + TTL_MS[ttl], ttl });
    }
    for (const id of ids) seen.add(id);
  }
  return totals;
}

function usd({ input, read = 0, write5m = 0, write1h = 0 }) {
  const plain = input - read - write5m - write1h;
  return (plain * PRICE.input + read * PRICE.read + write5m * PRICE.write5m + write1h * PRICE.write1h) / 1e6;
}

const pct = (part, whole) => `${((100 * part) / whole).toFixed(1)}%`;
const mtok = (tokens) => (tokens / 1e6).toFixed(1);
const money = (value) => `$${value.toFixed(2)}`;

const lines = [];
const out = (line = '') => {
  lines.push(line);
  console.log(line);
};
out(`Model ${MODEL}: minimum ${MIN} tokens, at most ${lib.MAX_BREAKPOINTS} breakpoints; prices per Mtok: input $${PRICE.input}, read $${PRICE.read}, write 5m $${PRICE.write5m}, write 1h $${PRICE.write1h}.`);
out();
out('| trace | requests | input Mtok | oracle reusable (5m) | achievable (>= min) | variant | read Mtok | % of achievable | % of oracle | written Mtok (5m / 1h) | cost | vs uncached |');
out('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const name of ['conversation_trace', 'synthetic_trace']) {
  const requests = load(name);
  const input = requests.reduce((sum, request) => sum + request.input_length, 0);
  const best = oracle(requests);
  const uncached = usd({ input });
  const variants = [
    ['uncached', null],
    ['baseline: stable only, 5m', simulate(requests, { rules: ['stable'], ttlChoice: false })],
    ['policy, 5m only', simulate(requests, { rules: ['final', 'stable'], ttlChoice: false })],
    ['policy, TTL choice', simulate(requests, { rules: ['final', 'stable'], ttlChoice: true })],
  ];
  const head = `| ${name} | ${requests.length} | ${mtok(input)} | ${mtok(best.reusable)} (${pct(best.reusable, input)}) | ${mtok(best.achievable)} |`;
  for (const [label, result] of variants) {
    if (result === null) {
      out(`${head} ${label} | 0 | 0% | 0% | 0 | ${money(uncached)} | - |`);
      continue;
    }
    const cost = usd(result);
    out(`| | | | | | ${label} | ${mtok(result.read)} | ${pct(result.read, best.achievable)} | ${pct(result.read, best.reusable)} | ${mtok(result.write5m)} / ${mtok(result.write1h)} | ${money(cost)} | ${pct(cost - uncached, uncached)} |`);
  }
}
writeFileSync(join(root, 'bench/results/prefix-cache-table.md'), `${lines.join('\n')}\n`);
