import { describe, expect, it } from 'vitest';
import type { Attempt, Call, RoutingDecision } from '../pipeline/call.js';
import { computeCost, type PriceCatalog } from '../pricing/index.js';
import { priceCatalogFromConfig } from '../providers/price-family.js';
import { resolveConfig } from '../spec/config/load-config.js';
import type { LedgerRow } from '../spec/ledger.js';
import { emptyUsage, type TokenUsage } from '../spec/usage.js';
import { baselineCostOf, meter, replacedByEscalation, shadowCostOf } from './meter.js';
import { createShadowPricer } from './routing/shadow-cost.js';

const MARCH = Date.parse('2026-03-01T00:00:00Z');
const APRIL = Date.parse('2026-04-01T00:00:00Z');

// One custom model with a configured price that changes on April 1st, and the bundled catalog for the others.
const config = resolveConfig({
  source: 'test',
  env: {},
  input: {
    providers: [
      { name: 'openai', type: 'openai', api_key: 'k' },
      { name: 'anthropic', type: 'anthropic', api_key: 'k' },
    ],
    pricing: {
      prices: [
        {
          provider: 'openai',
          model: 'house-small',
          price: [
            { input_per_mtok: 1, output_per_mtok: 4, cache_read_per_mtok: 0.5 },
            { input_per_mtok: 2, output_per_mtok: 8, cache_read_per_mtok: 1, effective_from: '2026-04-01' },
          ],
        },
        {
          provider: 'anthropic',
          model: 'house-large',
          price: [
            { input_per_mtok: 10, output_per_mtok: 40, cache_read_per_mtok: 1 },
            { input_per_mtok: 5, output_per_mtok: 20, cache_read_per_mtok: 0.5, effective_from: '2026-04-01' },
          ],
        },
      ],
    },
  },
}).config;
const catalog: PriceCatalog = priceCatalogFromConfig(config);
const families: Record<string, string> = { openai: 'openai', anthropic: 'anthropic' };
const price = createShadowPricer({ catalog, priceFamilyOf: (provider) => families[provider] });

const usage = (fields: Partial<TokenUsage>): TokenUsage => ({ ...emptyUsage(), ...fields });

function attempt(fields: Partial<Attempt>): Attempt {
  return {
    provider: 'anthropic', upstreamModel: 'claude-sonnet-4-5', servedModel: null, startedAt: MARCH, firstByteAt: MARCH, endedAt: MARCH, status: 200, errorCode: null,
    streamed: false, clientAborted: false, usage: null, usageEstimated: false, cost: null, priceRef: null, cacheSource: null, costUncachedUsd: null, ...fields,
  };
}

function shadowDecision(model: string, estimatedCostUsd: number | null, provider = 'openai'): RoutingDecision {
  return {
    tier: null, reason: 'shadow:rule:0', score: null, classifierId: null,
    candidates: [{ provider: 'anthropic', upstreamModel: 'claude-sonnet-4-5' }], escalation: [],
    shadow: { tier: 'small', target: { provider, upstreamModel: model }, estimatedCostUsd },
  };
}

/** The fields the meter reads of a call. */
function call(routing: RoutingDecision | null, attempts: Attempt[]): Call {
  const partial: Pick<Call, 'requestId' | 'dialect' | 'endpoint' | 'model' | 'attribution' | 'routing' | 'attempts'> = {
    requestId: 'req-1', dialect: 'anthropic', endpoint: 'messages', model: 'claude-sonnet-4-5', routing, attempts,
    attribution: { keyId: null, team: null, app: null, feature: 'support', user: null, customer: null, session: null, tags: {} },
  };
  return partial as Call;
}

async function rowsOf(subject: Call, options: { price?: typeof price } = { price }): Promise<LedgerRow[]> {
  const rows: LedgerRow[] = [];
  let id = 0;
  await meter({ enqueue: (row) => rows.push(row), configHash: 'cfg', newId: () => `row-${++id}`, ...options })(subject, async () => undefined);
  return rows;
}

describe('shadow_cost_usd on actual usage', () => {
  const served = usage({ inputTokens: 1_000, cacheReadTokens: 4_000, outputTokens: 500, reasoningTokens: 200 });

  it('prices each attempt’s usage as served at the would-be model’s configured price, at the attempt’s start', async () => {
    const rows = await rowsOf(call(shadowDecision('house-small', 0.000001), [attempt({ status: 529, usage: emptyUsage() }), attempt({ usage: served, startedAt: MARCH + 1 })]));
    // The refused attempt used nothing: $0 at any price. The served one: 1,000 × $1 + 4,000 × $0.5 + 500 × $4 per Mtok.
    expect(rows.map((row) => row.shadowCostUsd)).toEqual([0, (1_000 * 1 + 4_000 * 0.5 + 500 * 4) / 1e6]);
    // Every other routing column is the call's decision, on every row.
    for (const row of rows) expect(row).toMatchObject({ routeReason: 'shadow:rule:0', shadowTier: 'small', shadowProvider: 'openai', shadowModel: 'house-small' });
    // From April 1st the configured price doubles: the attempt's start picks the price, as for cost_total_usd.
    const [april] = await rowsOf(call(shadowDecision('house-small', 0.000001), [attempt({ usage: served, startedAt: APRIL })]));
    expect(april?.shadowCostUsd).toBe((1_000 * 2 + 4_000 * 1 + 500 * 8) / 1e6);
  });

  it('prices a bundled model like the gateway prices a served call (same catalog entry, same computeCost)', async () => {
    const [row] = await rowsOf(call(shadowDecision('gpt-4o-mini', 0.000001), [attempt({ usage: served })]));
    const entry = catalog.lookup({ providerFamily: 'openai', model: 'gpt-4o-mini', at: MARCH });
    expect(entry).not.toBeNull();
    expect(row?.shadowCostUsd).toBe(entry === null ? null : computeCost(served, entry)?.totalUsd);
    expect(row?.shadowCostUsd).toBeGreaterThan(0.000001);
  });

  it('keeps the pre-flight estimate only where the usage is unknown (no answer)', async () => {
    const rows = await rowsOf(call(shadowDecision('house-small', 0.0042), [attempt({ status: 0, errorCode: 'upstream_unreachable', usage: null }), attempt({ usage: served })]));
    expect(rows.map((row) => row.shadowCostUsd)).toEqual([0.0042, (1_000 * 1 + 4_000 * 0.5 + 500 * 4) / 1e6]);
  });

  it('is null, without failing, when the would-be model or its provider has no price', async () => {
    const [unpriced] = await rowsOf(call(shadowDecision('no-such-model-anywhere', null), [attempt({ usage: served })]));
    expect(unpriced?.shadowCostUsd).toBeNull();
    const [unknownProvider] = await rowsOf(call(shadowDecision('gpt-4o-mini', null, 'not-configured'), [attempt({ usage: served })]));
    expect(unknownProvider?.shadowCostUsd).toBeNull();
    // A service tier the would-be model has no price for is unpriced too, never priced at standard.
    const [flex] = await rowsOf(call(shadowDecision('house-small', 0.1), [attempt({ usage: { ...served, serviceTier: 'flex' } })]));
    expect(flex?.shadowCostUsd).toBeNull();
  });

  it('without a pricer the rows keep the estimate; without a shadow decision the column is null', async () => {
    const [estimate] = await rowsOf(call(shadowDecision('house-small', 0.0042), [attempt({ usage: served })]), {});
    expect(estimate?.shadowCostUsd).toBe(0.0042);
    const [unrouted] = await rowsOf(call(null, [attempt({ usage: served })]));
    expect(unrouted).toMatchObject({ shadowCostUsd: null, shadowModel: null, routeReason: null });
    const served2 = { ...shadowDecision('house-small', 1), shadow: null };
    const [decided] = await rowsOf(call(served2, [attempt({ usage: served })]));
    expect(decided?.shadowCostUsd).toBeNull();
  });

  it('shadowCostOf: a cache hit (no tokens billed) costs nothing at the would-be model either', () => {
    const shadow = shadowDecision('house-small', 0.5).shadow;
    if (shadow === null) throw new Error('no shadow');
    expect(shadowCostOf(shadow, attempt({ usage: emptyUsage(), cacheSource: 'exact' }), price)).toBe(0);
  });
});

/** A serve-mode decision that sent the call to the small tier; `baseline` = what it would have used without routing. */
function servedDecision(baseline: RoutingDecision['baseline']): RoutingDecision {
  return {
    tier: 'small', reason: 'rule:0', score: null, classifierId: null,
    candidates: [{ provider: 'openai', upstreamModel: 'house-small' }], escalation: [{ tier: 'large', candidates: [{ provider: 'anthropic', upstreamModel: 'house-large' }] }],
    shadow: null, baseline,
  };
}

describe('baseline_cost_usd (routing savings)', () => {
  const large = { provider: 'anthropic', upstreamModel: 'house-large' };
  const served = usage({ inputTokens: 2_000, cacheReadTokens: 10_000, outputTokens: 300 });
  // 2,000 × $10 + 10,000 × $1 + 300 × $40 per Mtok at house-large before April 1st: $0.042.
  const atLarge = (2_000 * 10 + 10_000 * 1 + 300 * 40) / 1e6;

  it('records the baseline model on every row and prices each attempt’s usage at it, at the attempt’s start', async () => {
    const rows = await rowsOf(call(servedDecision(large), [
      attempt({ provider: 'openai', upstreamModel: 'house-small', status: 429, usage: emptyUsage() }),
      attempt({ provider: 'openai', upstreamModel: 'house-small', usage: served, followsReason: 'rate_limited' }),
    ]));
    expect(rows.map((row) => [row.baselineProvider, row.baselineModel, row.baselineCostUsd])).toEqual([
      ['anthropic', 'house-large', 0],
      ['anthropic', 'house-large', atLarge],
    ]);
    expect(atLarge).toBeCloseTo(0.042, 12);
    // From April 1st house-large's configured price halves: the attempt's start picks the price.
    const [april] = await rowsOf(call(servedDecision(large), [attempt({ usage: served, startedAt: APRIL })]));
    expect(april?.baselineCostUsd).toBe((2_000 * 5 + 10_000 * 0.5 + 300 * 20) / 1e6);
  });

  it('an answer a cascade escalation replaced is 0 at the baseline: without routing it would not have been made', async () => {
    const small = usage({ inputTokens: 2_000, outputTokens: 50 });
    const attempts = [
      attempt({ provider: 'openai', upstreamModel: 'house-small', usage: small }),
      attempt({ provider: 'anthropic', upstreamModel: 'house-large', status: 529, usage: emptyUsage(), followsReason: 'cascade:not_empty' }),
      attempt({ provider: 'anthropic', upstreamModel: 'house-large', usage: served, followsReason: 'server_error' }),
    ];
    expect(attempts.map((_, index) => replacedByEscalation(attempts, index))).toEqual([true, false, false]);
    const rows = await rowsOf(call(servedDecision(large), attempts));
    expect(rows.map((row) => row.baselineCostUsd)).toEqual([0, 0, atLarge]);
  });

  it('is null where the usage is unknown, the baseline has no price, or no pricer is given', async () => {
    const [noAnswer] = await rowsOf(call(servedDecision(large), [attempt({ status: 0, errorCode: 'upstream_unreachable', usage: null })]));
    expect(noAnswer).toMatchObject({ baselineModel: 'house-large', baselineCostUsd: null, costTotalUsd: null });
    const [unpriced] = await rowsOf(call(servedDecision({ provider: 'openai', upstreamModel: 'no-such-model-anywhere' }), [attempt({ usage: served })]));
    expect(unpriced).toMatchObject({ baselineModel: 'no-such-model-anywhere', baselineCostUsd: null });
    const [flex] = await rowsOf(call(servedDecision(large), [attempt({ usage: { ...served, serviceTier: 'flex' } })]));
    expect(flex?.baselineCostUsd).toBeNull();
    const [noPricer] = await rowsOf(call(servedDecision(large), [attempt({ usage: served })]), {});
    expect(noPricer).toMatchObject({ baselineModel: 'house-large', baselineCostUsd: null });
    expect(baselineCostOf({ baseline: large, attempt: attempt({ usage: served }), replaced: false, price })).toBe(atLarge);
  });

  it('all null without a decision, without a baseline (pinned, a name that does not resolve) and in shadow mode', async () => {
    const empty = { baselineProvider: null, baselineModel: null, baselineCostUsd: null };
    const [unrouted] = await rowsOf(call(null, [attempt({ usage: served })]));
    expect(unrouted).toMatchObject(empty);
    const [pinned] = await rowsOf(call({ ...servedDecision(null), tier: null, reason: 'pinned' }, [attempt({ usage: served })]));
    expect(pinned).toMatchObject({ routeReason: 'pinned', ...empty });
    const [absent] = await rowsOf(call({ ...servedDecision(undefined) }, [attempt({ usage: served })]));
    expect(absent).toMatchObject({ routeReason: 'rule:0', ...empty });
    const [shadowed] = await rowsOf(call(shadowDecision('house-small', 0.1), [attempt({ usage: served })]));
    expect(shadowed).toMatchObject({ routeReason: 'shadow:rule:0', ...empty });
    expect(shadowed?.shadowCostUsd).toBeGreaterThan(0);
  });
});
