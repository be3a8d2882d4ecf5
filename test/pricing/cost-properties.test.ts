/**
 * Properties of the cost model (in test/: the ledger property spans pricing -> meter -> store on purpose), checked with fast-check (fixed seed) against real catalog entries:
 * - cost components add up exactly to the total, and cost is additive over calls that fall in the same price band;
 * - cost never decreases when any token count grows: always within a band, and across context-tier boundaries
 *   exactly when every band prices each kind at least as high as the band below (true of the data we ship, checked);
 * - an unpriced call (unknown model, or a service tier the entry has no price for) is recorded as null, never $0;
 * - a ledger row written the way the gateway writes it (catalog lookup + computeCost -> Attempt -> attemptToRow ->
 *   SQLite) recomputes, from its own token columns and `catalog.byRef(row.priceRef)`, to exactly its stored cost.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Attempt, Call, CallAbort } from '../../src/pipeline/call.js';
import { attemptToRow } from '../../src/policies/meter.js';
import { openSqliteStores } from '../../src/stores/sqlite/open-sqlite-stores.js';
import { usageOfRow, type LedgerRow } from '../../src/spec/ledger.js';
import { totalInputTokens, type ServiceTier, type TokenUsage } from '../../src/spec/usage.js';
import { computeCost, pricesFor, roundUsd, scheduleFor } from '../../src/pricing/compute-cost.js';
import { createPriceCatalog } from '../../src/pricing/price-catalog.js';
import { priceCorrections } from '../../src/pricing/price-corrections.js';
import type { CostBreakdown, PriceCatalog, PricedServiceTier, PriceEntry, PriceSchedule, TokenPrices } from '../../src/pricing/price-types.js';

const SEED = 20_261_123;
const AT = Date.parse('2026-11-20T12:00:00Z');
const catalog = createPriceCatalog({});

function entryOf(providerFamily: string, model: string, at = AT): PriceEntry {
  const entry = catalog.lookup({ providerFamily, model, at });
  if (entry === null) throw new Error(`no catalog entry for ${providerFamily}/${model}`);
  return entry;
}

/** Real entries covering tiers, modality prices, corrections, a per-request fee and every service-tier shape. */
const pool: readonly PriceEntry[] = [
  entryOf('openai', 'gpt-4o'),
  entryOf('openai', 'gpt-5'),
  entryOf('openai', 'gpt-5.4'),
  entryOf('openai', 'gpt-realtime'),
  entryOf('openai', 'gpt-4o-audio-preview'),
  entryOf('anthropic', 'claude-sonnet-4-5'),
  entryOf('anthropic', 'claude-sonnet-4-20250514'),
  entryOf('anthropic', 'claude-opus-4-1'),
  entryOf('google', 'gemini-2.5-pro'),
  entryOf('google', 'gemini-2.5-flash'),
  entryOf('google', 'gemini-2.5-flash-image'),
  entryOf('deepseek', 'deepseek-v4-flash', Date.parse('2026-08-18T12:00:00Z')),
  entryOf('perplexity', 'sonar'),
  entryOf('groq', 'openai/gpt-oss-120b'),
];

const thresholdsOf = (schedule: PriceSchedule): number[] => schedule.tiers.map((tier) => tier.aboveInputTokens);
const topThreshold = (entry: PriceEntry): number => Math.max(0, ...thresholdsOf(entry), ...Object.values(entry.serviceTiers).flatMap((s) => (s ? thresholdsOf(s) : [])));
const lowestThreshold = (entry: PriceEntry): number => Math.min(Number.POSITIVE_INFINITY, ...thresholdsOf(entry), ...Object.values(entry.serviceTiers).flatMap((s) => (s ? thresholdsOf(s) : [])));

const serviceTier = fc.constantFrom<ServiceTier | undefined>(undefined, 'standard', 'batch', 'flex', 'priority');

/** A consistent TokenUsage: every modality subset and reasoning stay within their kind. */
function usageArb(limits: { input: [number, number]; cache: number; write: number; output: number }, tier: fc.Arbitrary<ServiceTier | undefined> = serviceTier): fc.Arbitrary<TokenUsage> {
  const share = fc.integer({ min: 0, max: 100 });
  return fc
    .record({
      input: fc.integer({ min: limits.input[0], max: limits.input[1] }),
      read: fc.integer({ min: 0, max: limits.cache }),
      w5: fc.integer({ min: 0, max: limits.write }),
      w1: fc.integer({ min: 0, max: limits.write }),
      output: fc.integer({ min: 0, max: limits.output }),
      shares: fc.tuple(share, share, share, share, share, share),
      tier,
    })
    .map(({ input, read, w5, w1, output, shares: [audioIn, imageIn, audioRead, reasoning, audioOut, imageOut], tier: st }) => {
      const inputAudioTokens = Math.floor((input * audioIn) / 100);
      const reasoningTokens = Math.floor((output * reasoning) / 100);
      const outputAudioTokens = Math.floor(((output - reasoningTokens) * audioOut) / 100);
      const usage: TokenUsage = {
        inputTokens: input,
        cacheReadTokens: read,
        cacheWrite5mTokens: w5,
        cacheWrite1hTokens: w1,
        outputTokens: output,
        reasoningTokens,
        inputAudioTokens,
        inputImageTokens: Math.floor(((input - inputAudioTokens) * imageIn) / 100),
        cacheReadAudioTokens: Math.floor((read * audioRead) / 100),
        outputAudioTokens,
        outputImageTokens: Math.floor(((output - reasoningTokens - outputAudioTokens) * imageOut) / 100),
      };
      if (st !== undefined) usage.serviceTier = st;
      return usage;
    });
}

/** Calls small enough that two of them together stay at or below every threshold (200K is the lowest in the pool). */
const smallUsage = usageArb({ input: [0, 60_000], cache: 30_000, write: 5_000, output: 20_000 });
const anyUsage = usageArb({ input: [0, 400_000], cache: 300_000, write: 50_000, output: 100_000 });
const aboveAll = (entry: PriceEntry, tier?: fc.Arbitrary<ServiceTier | undefined>) =>
  usageArb({ input: [topThreshold(entry) + 1, topThreshold(entry) + 400_000], cache: 300_000, write: 50_000, output: 100_000 }, tier);
const entryArb = fc.constantFrom(...pool);

const kinds = ['input', 'cacheRead', 'cacheWrite5m', 'cacheWrite1h', 'output', 'reasoning', 'inputAudio', 'inputImage', 'cacheReadAudio', 'outputAudio', 'outputImage'] as const;
type Kind = (typeof kinds)[number];

/** `delta` more tokens of one kind; a subset grows together with the kind that contains it. */
function addTokens(usage: TokenUsage, kind: Kind, delta: number): TokenUsage {
  const next = { ...usage };
  const add = (key: keyof TokenUsage & `${string}Tokens`) => {
    next[key] = (next[key] ?? 0) + delta;
  };
  switch (kind) {
    case 'input':
      add('inputTokens');
      break;
    case 'cacheRead':
      add('cacheReadTokens');
      break;
    case 'cacheWrite5m':
      add('cacheWrite5mTokens');
      break;
    case 'cacheWrite1h':
      add('cacheWrite1hTokens');
      break;
    case 'output':
      add('outputTokens');
      break;
    case 'reasoning':
      add('outputTokens');
      add('reasoningTokens');
      break;
    case 'inputAudio':
    case 'inputImage':
      add('inputTokens');
      add(kind === 'inputAudio' ? 'inputAudioTokens' : 'inputImageTokens');
      break;
    case 'cacheReadAudio':
      add('cacheReadTokens');
      add('cacheReadAudioTokens');
      break;
    case 'outputAudio':
    case 'outputImage':
      add('outputTokens');
      add(kind === 'outputAudio' ? 'outputAudioTokens' : 'outputImageTokens');
      break;
  }
  return next;
}

const sum = (a: TokenUsage, b: TokenUsage): TokenUsage => {
  let out = { ...a };
  const pairs: Array<[Kind, number | undefined]> = [
    ['input', b.inputTokens - (b.inputAudioTokens ?? 0) - (b.inputImageTokens ?? 0)],
    ['inputAudio', b.inputAudioTokens],
    ['inputImage', b.inputImageTokens],
    ['cacheRead', b.cacheReadTokens - (b.cacheReadAudioTokens ?? 0)],
    ['cacheReadAudio', b.cacheReadAudioTokens],
    ['cacheWrite5m', b.cacheWrite5mTokens],
    ['cacheWrite1h', b.cacheWrite1hTokens],
    ['output', b.outputTokens - b.reasoningTokens - (b.outputAudioTokens ?? 0) - (b.outputImageTokens ?? 0)],
    ['reasoning', b.reasoningTokens],
    ['outputAudio', b.outputAudioTokens],
    ['outputImage', b.outputImageTokens],
  ];
  for (const [kind, count] of pairs) out = addTokens(out, kind, count ?? 0);
  return out;
};

const parts = ['inputUsd', 'cacheReadUsd', 'cacheWriteUsd', 'outputUsd', 'requestUsd'] as const;
const tokenParts = ['inputUsd', 'cacheReadUsd', 'cacheWriteUsd', 'outputUsd'] as const;
const options = { seed: SEED, numRuns: 300 };

describe('cost is additive over its components and over calls', () => {
  it('every component is rounded to 1e-12 and the total is exactly the rounded sum of the components', () => {
    fc.assert(
      fc.property(entryArb, anyUsage, (entry, usage) => {
        const cost = computeCost(usage, entry);
        if (cost === null) return;
        for (const part of parts) {
          expect(cost[part]).toBeGreaterThanOrEqual(0);
          expect(roundUsd(cost[part])).toBe(cost[part]);
        }
        expect(cost.totalUsd).toBe(roundUsd(parts.reduce((total, part) => total + cost[part], 0)));
      }),
      options,
    );
  });

  let additivePriced = 0;
  afterAll(() => expect(additivePriced).toBeGreaterThan(200));
  const additive = (entry: PriceEntry, a: TokenUsage, b: TokenUsage) => {
    const both = sum(a, b);
    const [ca, cb, cab] = [computeCost(a, entry), computeCost(b, entry), computeCost(both, entry)];
    // Same service tier for all three: priced (or unpriced) together.
    expect(ca === null).toBe(cab === null);
    expect(cb === null).toBe(cab === null);
    if (ca === null || cb === null || cab === null) return;
    additivePriced += 1;
    for (const part of tokenParts) expect(Math.abs(cab[part] - ca[part] - cb[part])).toBeLessThanOrEqual(1e-11);
    // The per-request fee is charged once per call, so two calls pay it twice.
    expect(ca.requestUsd).toBe(cab.requestUsd);
    expect(Math.abs(ca.totalUsd + cb.totalUsd - cab.requestUsd - cab.totalUsd)).toBeLessThanOrEqual(1e-10);
  };

  it('cost(A + B) = cost(A) + cost(B) within rounding when A, B and A + B are all in the lowest band', () => {
    fc.assert(
      fc.property(entryArb, serviceTier, smallUsage, smallUsage, (entry, tier, a, b) => {
        const [ta, tb] = [{ ...a, serviceTier: tier }, { ...b, serviceTier: tier }];
        expect(totalInputTokens(sum(ta, tb))).toBeLessThanOrEqual(lowestThreshold(entry));
        additive(entry, ta, tb);
      }),
      options,
    );
  });

  it('cost(A + B) = cost(A) + cost(B) within rounding when both calls are above the highest threshold', () => {
    const arb = entryArb.chain((entry) => fc.tuple(fc.constant(entry), serviceTier, aboveAll(entry), aboveAll(entry)));
    fc.assert(
      fc.property(arb, ([entry, tier, a, b]) => additive(entry, { ...a, serviceTier: tier }, { ...b, serviceTier: tier })),
      options,
    );
  });
});

/** What one million tokens of each kind cost at a band's prices, measured through computeCost itself. */
function effectivePrices(prices: TokenPrices): number[] {
  const flat: PriceEntry = { ref: 'probe', source: 'config', provider: 'probe', model: 'probe', effectiveFrom: null, requestUsd: 0, base: prices, tiers: [], serviceTiers: {} };
  const empty: TokenUsage = { inputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 0, reasoningTokens: 0 };
  return kinds.map((kind) => computeCost(addTokens(empty, kind, 1_000_000), flat)?.totalUsd ?? Number.NaN);
}

/** Every schedule (standard and service tiers) prices each kind at least as high in every band as in the band below. */
function bandsNonDecreasing(entry: PriceEntry): boolean {
  const schedules: PriceSchedule[] = [entry];
  for (const schedule of Object.values(entry.serviceTiers)) if (schedule !== undefined) schedules.push(schedule);
  return schedules.every((schedule) => {
    const bands = [schedule.base, ...schedule.tiers.map((tier) => tier.prices)].map(effectivePrices);
    return bands.every((band, index) => index === 0 || band.every((usd, kind) => usd >= (bands[index - 1]?.[kind] ?? 0)));
  });
}

describe('cost is monotonic in every token count', () => {
  const kindArb = fc.constantFrom(...kinds);
  const delta = fc.integer({ min: 1, max: 50_000 });

  it('within a band: one more token of any kind never costs less (any entry, any service tier)', () => {
    const arb = entryArb.chain((entry) => fc.tuple(fc.constant(entry), fc.oneof(smallUsage, aboveAll(entry)), kindArb, delta));
    fc.assert(
      fc.property(arb, ([entry, usage, kind, more]) => {
        const after = addTokens(usage, kind, more);
        expect(pricesFor(scheduleFor(entry, after) ?? entry, after)).toBe(pricesFor(scheduleFor(entry, usage) ?? entry, usage));
        const [before, then] = [computeCost(usage, entry), computeCost(after, entry)];
        expect(before === null).toBe(then === null);
        if (before !== null && then !== null) expect(then.totalUsd).toBeGreaterThanOrEqual(before.totalUsd);
      }),
      options,
    );
  });

  it('every tiered entry the catalog ships (bundled and corrections) prices each band at least as high as the band below', () => {
    const tiered: PriceEntry[] = [];
    for (const family of ['openai', 'anthropic', 'google', 'deepseek', 'groq', 'mistral', 'x-ai', 'perplexity', 'together', 'fireworks', 'moonshotai', 'zai', 'cohere']) {
      for (const model of catalog.knownModels(family)) tiered.push(...catalog.versions({ providerFamily: family, model }).filter((e) => topThreshold(e) > 0));
    }
    for (const correction of priceCorrections) tiered.push(...catalog.versions({ providerFamily: correction.providerFamily ?? 'openai', model: correction.model }).filter((e) => topThreshold(e) > 0));
    expect(tiered.length).toBeGreaterThan(10);
    expect(tiered.filter((entry) => !bandsNonDecreasing(entry)).map((entry) => entry.ref)).toEqual([]);
  });

  it('across a context-tier boundary: growing a call past the threshold never costs less, for those entries', () => {
    const tieredPool = pool.filter((entry) => topThreshold(entry) > 0);
    const arb = fc.constantFrom(...tieredPool).chain((entry) =>
      fc.tuple(fc.constant(entry), usageArb({ input: [Math.max(0, lowestThreshold(entry) - 40_000), lowestThreshold(entry)], cache: 0, write: 0, output: 20_000 }), kindArb, delta),
    );
    let crossed = 0;
    fc.assert(
      fc.property(arb, ([entry, usage, kind, more]) => {
        const after = addTokens(usage, kind, more);
        const [before, then] = [computeCost(usage, entry), computeCost(after, entry)];
        if (before === null || then === null) return;
        if (pricesFor(scheduleFor(entry, after) ?? entry, after) !== pricesFor(scheduleFor(entry, usage) ?? entry, usage)) crossed += 1;
        expect(then.totalUsd).toBeGreaterThanOrEqual(before.totalUsd);
      }),
      options,
    );
    expect(crossed).toBeGreaterThan(20);
  });

  it('does not hold for a band priced lower than the one below it (why the data check above matters)', () => {
    const cheaperAbove: PriceEntry = { ...entryOf('anthropic', 'claude-sonnet-4-5'), tiers: [{ aboveInputTokens: 200_000, prices: { inputPerMtok: 1, outputPerMtok: 5 } }] };
    expect(bandsNonDecreasing(cheaperAbove)).toBe(false);
    const at = { inputTokens: 200_000, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 0, reasoningTokens: 0 };
    expect(computeCost(addTokens(at, 'input', 1), cheaperAbove)?.totalUsd).toBeLessThan(computeCost(at, cheaperAbove)?.totalUsd ?? 0);
  });
});

/** The gateway's pricing of one attempt (server/main.ts createPricer + dispatch settleUsage, one model). */
function priceLikeGateway(options: { catalog: PriceCatalog; family: string; model: string; usage: TokenUsage; at: number }): { cost: CostBreakdown | null; ref: string | null } {
  const entry = options.catalog.lookup({ providerFamily: options.family, model: options.model, at: options.at });
  const cost = entry === null ? null : computeCost(options.usage, entry);
  return cost === null || entry === null ? { cost: null, ref: null } : { cost, ref: entry.ref };
}

class TestAbort extends EventEmitter implements CallAbort {
  aborted = false;
  abort(): void {
    this.aborted = true;
    this.emit('abort');
  }
}

function callFor(requestId: string, model: string): Call {
  return {
    requestId,
    dialect: 'openai',
    endpoint: 'chat',
    receivedAt: AT,
    headers: {},
    body: { model },
    rawBody: Buffer.from(JSON.stringify({ model })),
    model,
    stream: false,
    bodyUser: null,
    credential: null,
    key: null,
    attribution: { keyId: null, team: null, app: null, feature: null, user: null, customer: null, session: null, tags: {} },
    target: null,
    bodyOverrides: null,
    attempts: [],
    controller: new TestAbort(),
    clientAborted: false,
    response: new ServerResponse(new IncomingMessage(new Socket())),
    marks: { received: 0, upstreamSent: 0, upstreamHeaders: 0 },
  };
}

function attemptFor(options: { family: string; model: string; usage: TokenUsage; at: number }): Attempt {
  const priced = priceLikeGateway({ catalog, ...options });
  return { provider: options.family, upstreamModel: options.model, servedModel: options.model, startedAt: options.at, firstByteAt: options.at + 200, endedAt: options.at + 900, status: 200, errorCode: null, streamed: false, clientAborted: false, usage: options.usage, usageEstimated: false, cost: priced.cost, priceRef: priced.ref, cacheSource: null, costUncachedUsd: priced.cost?.totalUsd ?? null };
}

const costColumns = (row: LedgerRow) => [row.costInputUsd, row.costCacheReadUsd, row.costCacheWriteUsd, row.costOutputUsd, row.costRequestUsd, row.costTotalUsd];

describe('an unpriced call is recorded as unpriced, never $0', () => {
  it('a model the catalog does not know: null cost, null price ref, on the ledger row', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9._-]{0,40}$/);
    fc.assert(
      fc.property(name, anyUsage, (model, usage) => {
        fc.pre(catalog.lookup({ providerFamily: 'openai', model, at: AT }) === null);
        const row = attemptToRow({ call: callFor('req-unknown', model), attempt: attemptFor({ family: 'openai', model, usage, at: AT }), index: 0, id: 'row', configHash: 'cfg' });
        expect(costColumns(row)).toEqual([null, null, null, null, null, null]);
        expect(row.priceRef).toBeNull();
        expect(row.inputTokens).toBe(usage.inputTokens);
      }),
      options,
    );
  });

  it('a service tier the entry has no price for: null, never the standard price', () => {
    fc.assert(
      fc.property(entryArb, fc.constantFrom<PricedServiceTier>('batch', 'flex', 'priority'), anyUsage, (entry, tier, usage) => {
        const cost = computeCost({ ...usage, serviceTier: tier }, entry);
        expect(cost === null).toBe(entry.serviceTiers[tier] === undefined);
      }),
      options,
    );
  });
});

/** The models the ledger property prices: dated versions, corrections, daily windows, a fee, and an unknown model. */
const ledgerModels: ReadonlyArray<readonly [string, string]> = [
  ['openai', 'gpt-4o-2024-08-06'],
  ['openai', 'o3'],
  ['openai', 'gpt-5.4'],
  ['openai', 'gpt-realtime'],
  ['openai', 'gpt-4o-audio-preview-2024-12-17'],
  ['openai', 'gpt-5.6-terra'],
  ['anthropic', 'claude-sonnet-4-5-20250929'],
  ['anthropic', 'claude-sonnet-4-6'],
  ['anthropic', 'claude-sonnet-4-20250514'],
  ['gemini', 'gemini-2.5-pro'],
  ['gemini', 'gemini-2.5-flash'],
  ['deepseek', 'deepseek-chat'],
  ['deepseek', 'deepseek-v4-flash'],
  ['perplexity', 'sonar-pro'],
  ['groq', 'llama-3.3-70b-versatile'],
  ['openai', 'not-a-priced-model'],
];

describe('a ledger row recomputes to its stored cost', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jevons-cost-properties-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('from its own token columns and catalog.byRef(row.priceRef), after a SQLite round trip', async () => {
    const stores = openSqliteStores({ path: join(dir, 'ledger.db') });
    const repricer = createPriceCatalog({});
    const call = fc.record({
      target: fc.constantFrom(...ledgerModels),
      usage: anyUsage,
      at: fc.integer({ min: Date.parse('2025-01-01T00:00:00Z'), max: Date.parse('2026-11-23T00:00:00Z') }),
    });
    let run = 0;
    let priced = 0;
    const refs = new Set<string>();
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 20 }), async (calls) => {
          const requestId = `req-${++run}`;
          const request = callFor(requestId, calls[0]?.target[1] ?? 'none');
          const rows = calls.map(({ target: [family, name], usage, at }, index) =>
            attemptToRow({ call: request, attempt: attemptFor({ family, model: name, usage, at }), index, id: `${requestId}-${index}`, configHash: 'cfg' }),
          );
          await stores.ledger.append(rows);
          const stored = await stores.ledger.byRequest(requestId);
          expect(stored).toHaveLength(rows.length);
          for (const row of stored) {
            refs.add(row.priceRef ?? 'unpriced');
            if (row.priceRef === null) {
              expect(costColumns(row)).toEqual([null, null, null, null, null, null]);
              continue;
            }
            const entry = repricer.byRef(row.priceRef);
            expect(entry, row.priceRef).not.toBeNull();
            if (entry === null) continue;
            const usage = usageOfRow(row);
            const again = computeCost(usage, entry);
            expect(again, row.priceRef).not.toBeNull();
            expect(again === null ? null : [again.inputUsd, again.cacheReadUsd, again.cacheWriteUsd, again.outputUsd, again.requestUsd, again.totalUsd]).toEqual(costColumns(row));
            priced += 1;
          }
        }),
        { seed: SEED, numRuns: 60 },
      );
    } finally {
      await stores.close();
    }
    expect(priced).toBeGreaterThan(100);
    // The rows covered bundled, corrected, dated and time-of-day prices, and unpriced calls.
    const seen = [...refs];
    expect(seen.some((ref) => ref.startsWith('correction:'))).toBe(true);
    expect(seen.some((ref) => /^genai-prices:.*@\d{4}-\d{2}-\d{2}$/.test(ref))).toBe(true);
    expect(seen.some((ref) => /^genai-prices:.*@\d{2}:\d{2}/.test(ref))).toBe(true);
    expect(seen).toContain('unpriced');
  });
});
