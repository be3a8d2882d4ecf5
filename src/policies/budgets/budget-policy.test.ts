import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { Call, RouteTarget } from '../../pipeline/call.js';
import { roundUsd } from '../../pricing/index.js';
import { governanceSchemas } from '../../spec/config/governance-schema.js';
import { GatewayError } from '../../spec/errors.js';
import type { BudgetSpendUpdate, GovernanceEvent, SpendQuery } from '../../spec/governance.js';
import type { CounterStore } from '../../spec/ports.js';
import { createMemoryCounterStore } from '../../stores/memory/index.js';
import type { CostEstimate } from '../estimate-cost.js';
import { budgets, type BudgetPolicyOptions } from './budget-policy.js';

/** Per-token prices of the fake models; `free` has none. */
const prices: Record<string, { input: number; output: number } | undefined> = { big: { input: 1e-5, output: 1e-4 }, small: { input: 1e-6, output: 1e-5 } };
const INPUT = 100;

function fakeEstimate(call: Call): CostEstimate {
  const model = call.target?.upstreamModel ?? call.model;
  const max = Number(call.body.max_completion_tokens ?? call.body.max_tokens ?? 1_000);
  const price = prices[model];
  const worst = price === undefined ? null : roundUsd(INPUT * price.input + max * price.output);
  return {
    model, priceRef: price ? `test:${model}` : null, inputTokens: INPUT, inputExact: true, inputMethod: 'tokenizer:o200k_base', safetyFactor: null,
    reservationInputTokens: INPUT, maxOutputTokens: max, maxOutputSource: 'request:max_tokens', choices: 1, serviceTier: 'standard',
    inputUsd: price ? INPUT * price.input : null, worstCaseUsd: worst, unpriced: worst === null, unpricedReason: worst === null ? 'no-price' : null,
  };
}

const targets: Record<string, RouteTarget> = { big: { provider: 'p', upstreamModel: 'big' }, small: { provider: 'p', upstreamModel: 'small' }, free: { provider: 'p', upstreamModel: 'free' } };

let requests = 0;
function fakeCall(options: { model?: string; team?: string; user?: string; tags?: Record<string, string>; body?: Record<string, unknown>; dialect?: 'openai' | 'anthropic' } = {}) {
  const headers: Record<string, string> = {};
  const model = options.model ?? 'big';
  const call = {
    requestId: `req-${++requests}`,
    dialect: options.dialect ?? 'openai',
    endpoint: 'chat',
    receivedAt: 0,
    headers: {},
    body: { model, messages: [], ...options.body },
    rawBody: Buffer.alloc(0),
    model,
    stream: false,
    bodyUser: null,
    credential: null,
    key: null,
    attribution: { keyId: 'k1', team: options.team ?? null, app: null, feature: null, user: options.user ?? null, customer: null, session: 's1', tags: options.tags ?? {} },
    target: targets[model] ?? null,
    bodyOverrides: null,
    attempts: [],
    controller: null,
    clientAborted: false,
    response: { setHeader: (name: string, value: string) => void (headers[name] = value) } as unknown as ServerResponse,
    marks: { received: 0, upstreamSent: 0, upstreamHeaders: 0 },
  } as unknown as Call;
  return { call, headers };
}

/** A next() that bills `usd` and `tokens` (split as input + output) on one attempt. */
const billing = (call: Call, usd: number | null, tokens = 600) => async () => {
  call.attempts.push({
    provider: 'p', upstreamModel: call.target?.upstreamModel ?? '', servedModel: null, startedAt: 0, firstByteAt: null, endedAt: 0, status: 200, errorCode: null,
    streamed: false, clientAborted: false, usageEstimated: false, priceRef: null, cacheSource: null, costUncachedUsd: null,
    usage: { inputTokens: INPUT, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: tokens - INPUT, reasoningTokens: 0 },
    cost: usd === null ? null : { inputUsd: 0, cacheReadUsd: 0, cacheWriteUsd: 0, outputUsd: usd, requestUsd: 0, totalUsd: usd },
  });
};

const parse = (input: unknown[]) => governanceSchemas.budgets.parse(input);
const T0 = Date.UTC(2026, 5, 15, 12);

function setup(input: unknown[], extra: Partial<BudgetPolicyOptions> = {}) {
  let clock = T0;
  const counters = createMemoryCounterStore({ now: () => clock });
  const events: GovernanceEvent[] = [];
  const spends: BudgetSpendUpdate[] = [];
  const restores: SpendQuery[] = [];
  let estimates = 0;
  let ids = 0;
  const policy = budgets({
    budgets: parse(input),
    counters,
    estimate: (call) => (estimates++, fakeEstimate(call)),
    resolveModel: (name) => targets[name] ?? null,
    restore: async (query) => (restores.push(query), { usd: 0, tokens: 0 }),
    onSpend: (update) => spends.push(update),
    recordEvent: (event) => events.push(event),
    now: () => clock,
    newId: () => `ev-${++ids}`,
    ...extra,
  });
  const day = '2026-06-15';
  return { policy, counters, events, spends, restores, estimates: () => estimates, advance: (ms: number) => (clock += ms), usdKey: (name: string, scope = '') => `budget:${name}:${scope}:${Date.parse(`${day}T00:00:00Z`)}:usd`, tokensKey: (name: string, scope = '') => `budget:${name}:${scope}:${Date.parse(`${day}T00:00:00Z`)}:tokens` };
}

const thrown = async (promise: Promise<unknown>): Promise<GatewayError> => {
  try {
    await promise;
  } catch (error) {
    if (GatewayError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
};

describe('scope', () => {
  it('covers a call by fixed values, `*` values and tags; a call without a `*` value is not covered', async () => {
    const s = setup([
      { name: 'global', period: 'daily', limit_usd: 10 },
      { name: 'search', scope: { team: 'search' }, period: 'daily', limit_usd: 10 },
      { name: 'per-user', scope: { user: '*' }, period: 'daily', limit_usd: 10 },
      { name: 'prod', scope: { tags: { env: 'prod' }, model: 'big' }, period: 'daily', limit_usd: 10 },
    ]);
    const { call, headers } = fakeCall({ team: 'search', user: 'u-1', tags: { env: 'prod' } });
    await s.policy(call, billing(call, 0.05));
    for (const key of [s.usdKey('global'), s.usdKey('search', 'team=search'), s.usdKey('per-user', 'user=u-1'), s.usdKey('prod', 'model=big,tag.env=prod')]) expect(await s.counters.get(key)).toBeCloseTo(0.05, 12);
    // Remaining with this call's worst case (0.101) held, as sent before the call.
    expect(headers['x-jevons-budget-remaining-usd']).toBe('9.899');

    const other = fakeCall({ team: 'ads' }).call;
    await s.policy(other, billing(other, 0.01));
    expect(await s.counters.get(s.usdKey('global'))).toBeCloseTo(0.06, 12);
    expect(await s.counters.get(s.usdKey('search', 'team=search'))).toBeCloseTo(0.05, 12);
    expect(await s.counters.get(s.usdKey('per-user', 'user=u-1'))).toBeCloseTo(0.05, 12);
  });

  it('does not estimate or count a call no budget covers', async () => {
    const s = setup([{ name: 'search', scope: { team: 'search' }, period: 'daily', limit_usd: 1 }]);
    const { call, headers } = fakeCall({ team: 'ads' });
    let ran = false;
    await s.policy(call, async () => void (ran = true));
    expect(ran).toBe(true);
    expect(s.estimates()).toBe(0);
    expect(s.counters.size).toBe(0);
    expect(headers).toEqual({});
  });
});

describe('reserve, settle and release', () => {
  it('holds the worst case during the call and settles to the metered cost and tokens', async () => {
    const s = setup([{ name: 'b', period: 'daily', limit_usd: 1, limit_tokens: 100_000 }]);
    const { call, headers } = fakeCall();
    await s.policy(call, async () => {
      // Worst case of "big" at 1,000 output tokens: 100 x 1e-5 + 1000 x 1e-4.
      expect(await s.counters.get(s.usdKey('b'))).toBeCloseTo(0.101, 12);
      expect(await s.counters.get(s.tokensKey('b'))).toBe(1_100);
      await billing(call, 0.03, 400)();
    });
    expect(await s.counters.get(s.usdKey('b'))).toBeCloseTo(0.03, 12);
    expect(await s.counters.get(s.tokensKey('b'))).toBe(400);
    expect(headers).toMatchObject({ 'x-jevons-budget-remaining-usd': '0.899', 'x-jevons-budget': 'b', 'x-jevons-budget-remaining-tokens': '98900', 'x-jevons-budget-tokens': 'b' });
    expect(s.spends).toEqual([expect.objectContaining({ budget: 'b', scope: '', spentUsd: 0.03, spentTokens: 400, limitUsd: 1, limitTokens: 100_000, periodStart: Date.UTC(2026, 5, 15), periodEnd: Date.UTC(2026, 5, 16) })]);
  });

  it('releases on failure, keeping what an attempt billed before it failed', async () => {
    const s = setup([{ name: 'b', period: 'daily', limit_usd: 1 }]);
    const { call } = fakeCall();
    await expect(s.policy(call, async () => {
      throw new Error('upstream down');
    })).rejects.toThrow('upstream down');
    expect(await s.counters.get(s.usdKey('b'))).toBe(0);
    const second = fakeCall().call;
    await expect(s.policy(second, async () => {
      await billing(second, 0.02)();
      throw new Error('stream cut');
    })).rejects.toThrow('stream cut');
    expect(await s.counters.get(s.usdKey('b'))).toBeCloseTo(0.02, 12);
  });

  it('is all or nothing across budgets', async () => {
    const s = setup([
      { name: 'roomy', period: 'daily', limit_usd: 10 },
      { name: 'tight', scope: { team: 'search' }, period: 'daily', limit_usd: 0.1 },
    ]);
    const { call } = fakeCall({ team: 'search' });
    const error = await thrown(s.policy(call, billing(call, 0.01)));
    expect(error.code).toBe('budget_exceeded');
    expect(await s.counters.get(s.usdKey('roomy'))).toBe(0);
    expect(await s.counters.get(s.usdKey('tight', 'team=search'))).toBe(0);
  });

  it('never lets concurrent calls spend past limit + the largest reservation', async () => {
    const s = setup([{ name: 'b', period: 'daily', limit_usd: 1 }]);
    const outcomes = await Promise.allSettled(Array.from({ length: 200 }, async () => {
      const { call } = fakeCall();
      await s.policy(call, async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        await billing(call, 0.09)();
      });
    }));
    const served = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
    // Each call reserves 0.101 and bills 0.09: the first 9 fit at once, later ones as settlements free room.
    expect(served).toBeGreaterThanOrEqual(9);
    expect(served * 0.09).toBeLessThanOrEqual(1 + 0.101);
    expect(await s.counters.get(s.usdKey('b'))).toBeCloseTo(served * 0.09, 9);
    for (const outcome of outcomes) if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ code: 'budget_exceeded' });
  });
});

describe('actions at the limit', () => {
  it('block: a 429 naming the budget, limit, spent and reset, with retry-after, and an event', async () => {
    const s = setup([{ name: 'team-day', scope: { team: 'search' }, period: 'daily', timezone: 'Europe/Paris', limit_usd: 0.15 }]);
    const first = fakeCall({ team: 'search' }).call;
    await s.policy(first, billing(first, 0.1));
    const { call } = fakeCall({ team: 'search' });
    const error = await thrown(s.policy(call, billing(call, 0.1)));
    expect(error.status).toBe(429);
    // 12:00Z on 15 June is 14:00 in Paris; the day ends at 22:00Z.
    expect(error.message).toBe('Budget "team-day" for team=search is exhausted: $0.10 spent of its $0.15 limit in this day period, and this request could cost up to $0.101. It resets at 2026-06-15T22:00:00.000Z.');
    expect(error.details).toEqual({ budget: 'team-day', scope: 'team=search', period: 'daily', unit: 'usd', limit: 0.15, spent: 0.1, requested: 0.101, reset_at: '2026-06-15T22:00:00.000Z' });
    expect(error.headers).toEqual({ 'x-jevons-budget': 'team-day', 'retry-after': String(10 * 3600) });
    expect(s.events).toEqual([expect.objectContaining({ kind: 'budget_blocked', name: 'team-day', scope: 'team=search', requestId: call.requestId, session: 's1', costUsd: 0.101 })]);
  });

  it('downgrade: serves with the cheaper model, reserves its worst case and says so', async () => {
    const s = setup([{ name: 'd', period: 'daily', limit_usd: 0.05, action: 'downgrade', downgrade_to: 'small' }]);
    const { call, headers } = fakeCall();
    let servedBy = '';
    await s.policy(call, async () => {
      servedBy = call.target?.upstreamModel ?? '';
      // small: 100 x 1e-6 + 1000 x 1e-5.
      expect(await s.counters.get(s.usdKey('d'))).toBeCloseTo(0.0101, 12);
      await billing(call, 0.004)();
    });
    expect(servedBy).toBe('small');
    expect(headers['x-jevons-budget-downgraded']).toBe('d -> small');
    expect(s.events).toEqual([expect.objectContaining({ kind: 'budget_downgraded', name: 'd', details: expect.objectContaining({ from: 'big', to: 'small' }) })]);
  });

  it('downgrade that still does not fit blocks', async () => {
    const s = setup([{ name: 'd', period: 'daily', limit_usd: 0.005, action: 'downgrade', downgrade_to: 'small' }]);
    const { call, headers } = fakeCall();
    expect((await thrown(s.policy(call, billing(call, 0.001)))).code).toBe('budget_exceeded');
    expect(headers['x-jevons-budget-downgraded']).toBeUndefined();
    expect(s.events.map((event) => event.kind)).toEqual(['budget_blocked']);
  });

  it('cap: lowers the output limit the caller used so the worst case fits what is left', async () => {
    const s = setup([{ name: 'c', period: 'daily', limit_usd: 0.051, action: 'cap', cap_max_tokens: 4_000 }]);
    const { call, headers } = fakeCall({ body: { max_tokens: 2_000 } });
    await s.policy(call, billing(call, 0.01));
    // Room 0.051: 100 x 1e-5 + m x 1e-4 <= 0.051 -> m = 500.
    expect(call.bodyOverrides).toEqual({ max_tokens: 500 });
    expect(headers['x-jevons-budget-capped']).toBe('c: max_tokens=500');
    expect(s.events[0]).toMatchObject({ kind: 'budget_capped', details: { max_tokens_before: 2_000, max_tokens: 500 } });
  });

  it('cap: applies cap_max_tokens and the reasoning effort cap (OpenAI) and the thinking budget (Anthropic)', async () => {
    const s = setup([{ name: 'c', period: 'daily', limit_usd: 0.2, action: 'cap', cap_max_tokens: 300, cap_reasoning_effort: 'low' }]);
    const openai = fakeCall({ body: { max_completion_tokens: 3_000, reasoning_effort: 'high' } });
    await s.policy(openai.call, billing(openai.call, 0.01));
    expect(openai.call.bodyOverrides).toEqual({ max_completion_tokens: 300, reasoning_effort: 'low' });
    const anthropic = fakeCall({ dialect: 'anthropic', body: { max_tokens: 8_000, thinking: { type: 'enabled', budget_tokens: 6_000 } } });
    await s.policy(anthropic.call, billing(anthropic.call, 0.01));
    expect(anthropic.call.bodyOverrides).toEqual({ max_tokens: 300, thinking: { type: 'disabled' } });
  });

  it('cap with no room even for one token blocks', async () => {
    const s = setup([{ name: 'c', period: 'daily', limit_usd: 0.0005, action: 'cap', cap_max_tokens: 10 }]);
    const { call } = fakeCall();
    expect((await thrown(s.policy(call, billing(call, 0.001)))).code).toBe('budget_exceeded');
  });

  it('shadow: serves, counts and records that it would have refused', async () => {
    const s = setup([{ name: 'sh', period: 'daily', limit_usd: 0.05, action: 'shadow' }]);
    const { call, headers } = fakeCall();
    await s.policy(call, billing(call, 0.08));
    expect(await s.counters.get(s.usdKey('sh'))).toBeCloseTo(0.08, 12);
    expect(headers['x-jevons-budget-shadow']).toBe('sh');
    expect(headers['x-jevons-budget-remaining-usd']).toBe('0');
    expect(s.events).toEqual([expect.objectContaining({ kind: 'budget_shadow', name: 'sh' })]);
  });

  it('the strictest action of the refusing budgets wins', async () => {
    const s = setup([
      { name: 'cap-it', period: 'daily', limit_usd: 0.05, action: 'cap', cap_max_tokens: 10 },
      { name: 'block-it', scope: { team: 'search' }, period: 'daily', limit_usd: 0.05 },
      { name: 'down', scope: { user: '*' }, period: 'daily', limit_usd: 0.05, action: 'downgrade', downgrade_to: 'small' },
    ]);
    const blocked = fakeCall({ team: 'search', user: 'u' }).call;
    expect((await thrown(s.policy(blocked, billing(blocked, 0.01)))).details).toMatchObject({ budget: 'block-it' });
    const downgraded = fakeCall({ user: 'u' });
    await s.policy(downgraded.call, billing(downgraded.call, 0.001));
    expect(downgraded.call.target?.upstreamModel).toBe('small');
    expect(downgraded.call.bodyOverrides).toBeNull();
  });
});

describe('unpriced models', () => {
  it('a USD-only budget refuses them (403); a budget with a token limit counts their tokens', async () => {
    const usdOnly = setup([{ name: 'u', period: 'daily', limit_usd: 1 }]);
    const { call } = fakeCall({ model: 'free' });
    const error = await thrown(usdOnly.policy(call, billing(call, null)));
    expect(error).toMatchObject({ code: 'forbidden', status: 403 });
    expect(error.message).toContain('Budget "u" limits spend in USD, and the model "free" has no price');

    const both = setup([{ name: 'ut', period: 'daily', limit_usd: 1, limit_tokens: 10_000 }]);
    const second = fakeCall({ model: 'free' }).call;
    await both.policy(second, billing(second, null, 700));
    expect(await both.counters.get(both.tokensKey('ut'))).toBe(700);
    expect(await both.counters.get(both.usdKey('ut'))).toBe(0);
  });

  it('an attempt metered without a price settles at the USD reserved', async () => {
    const s = setup([{ name: 'b', period: 'daily', limit_usd: 1 }]);
    const { call } = fakeCall();
    await s.policy(call, billing(call, null));
    expect(await s.counters.get(s.usdKey('b'))).toBeCloseTo(0.101, 12);
  });
});

describe('restart restore', () => {
  it('adds the ledger spend of the current period once, even for concurrent first touches', async () => {
    const restores: SpendQuery[] = [];
    const s = setup([{ name: 'r', scope: { team: '*' }, period: 'daily', limit_usd: 1 }], {
      restore: async (query) => {
        restores.push(query);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return { usd: 0.85, tokens: 0 };
      },
    });
    const calls = Array.from({ length: 3 }, () => fakeCall({ team: 'a' }).call);
    const outcomes = await Promise.allSettled(calls.map((call) => s.policy(call, billing(call, 0.05))));
    expect(restores).toEqual([{ since: Date.UTC(2026, 5, 15), until: T0, match: { team: 'a' } }]);
    // 0.85 restored: one 0.101 reservation fits at a time; the others are refused while it is held.
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled').length).toBe(1);
    expect(await s.counters.get(s.usdKey('r', 'team=a'))).toBeCloseTo(0.9, 12);
  });

  it('does not query the ledger for periods that began after the process started', async () => {
    const s = setup([{ name: 'd', period: 'daily', limit_usd: 1 }]);
    const first = fakeCall().call;
    await s.policy(first, billing(first, 0.01));
    expect(s.restores).toHaveLength(1);
    s.advance(86_400_000);
    const second = fakeCall().call;
    await s.policy(second, billing(second, 0.01));
    expect(s.restores).toHaveLength(1);
  });
});

describe('rolling windows', () => {
  it('are exact under concurrency and free room as spend leaves the window', async () => {
    const s = setup([{ name: 'w', period: 'rolling', window: '1h', limit_usd: 0.5 }]);
    const round = async () => (await Promise.allSettled(Array.from({ length: 20 }, async () => {
      const { call } = fakeCall();
      await s.policy(call, billing(call, 0.1));
    }))).filter((outcome) => outcome.status === 'fulfilled').length;
    // 0.101 reserved each, held concurrently: 4 fit in 0.5.
    expect(await round()).toBe(4);
    s.advance(30 * 60_000);
    // 0.4 spent half an hour ago is still in the window: no 0.101 reservation fits the remaining 0.1.
    expect(await round()).toBe(0);
    s.advance(31 * 60_000);
    expect(await round()).toBe(4);
  });

  it('the block error of a rolling window resets when its oldest spend leaves it', async () => {
    const s = setup([{ name: 'w', period: 'rolling', window: '1h', limit_usd: 0.15 }]);
    const first = fakeCall().call;
    await s.policy(first, billing(first, 0.1));
    s.advance(10 * 60_000);
    const { call } = fakeCall();
    const error = await thrown(s.policy(call, billing(call, 0.1)));
    expect(error.details?.reset_at).toBe(new Date(T0 + 3_600_000).toISOString());
    expect(error.headers?.['retry-after']).toBe(String(50 * 60));
  });
});

describe('a counter store without the in-process fast path (as a shared store)', () => {
  /** The memory store behind promises that resolve a tick later, so concurrent calls interleave between store calls. */
  const asyncOnly = (memory: CounterStore): CounterStore => {
    const later = async <T>(value: Promise<T>): Promise<T> => {
      await new Promise((resolve) => setImmediate(resolve));
      return value;
    };
    return {
      increment: (key, delta, ttlMs) => later(memory.increment(key, delta, ttlMs)),
      get: (key) => later(memory.get(key)),
      getMany: (keys) => later(memory.getMany(keys)),
      reset: (key) => later(memory.reset(key)),
      reserve: (reservations) => later(memory.reserve(reservations)),
      incrementMany: (increments) => later(memory.incrementMany(increments)),
    };
  };

  it('keeps calendar and rolling budgets exact under concurrency, and settles every counter', async () => {
    const s = setup([{ name: 'b', period: 'daily', limit_usd: 1 }, { name: 'w', period: 'rolling', window: '1h', limit_usd: 0.5 }]);
    const shared = setup([{ name: 'b', period: 'daily', limit_usd: 1 }, { name: 'w', period: 'rolling', window: '1h', limit_usd: 0.5 }], { counters: asyncOnly(s.counters) });
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, async () => {
      const { call } = fakeCall();
      await shared.policy(call, billing(call, 0.09));
    }));
    const served = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
    // 0.101 reserved each in both budgets and 0.09 billed: 4 fit in the rolling window's 0.5 at once, more only as
    // settlements free room, and never past the limit + one reservation.
    expect(served).toBeGreaterThanOrEqual(4);
    expect(served * 0.09).toBeLessThanOrEqual(0.5 + 0.101);
    expect(await s.counters.get(s.usdKey('b'))).toBeCloseTo(served * 0.09, 9);
    for (const outcome of outcomes) if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ code: 'budget_exceeded' });
    expect(shared.spends.filter((update) => update.budget === 'w').at(-1)?.spentUsd).toBeCloseTo(served * 0.09, 9);
  });
});

describe('configuration', () => {
  it('rejects a downgrade to an unknown model and duplicate names, naming the path', () => {
    expect(() => setup([
      { name: 'a', period: 'daily', limit_usd: 1, action: 'downgrade', downgrade_to: 'nope' },
      { name: 'a', period: 'daily', limit_usd: 1 },
    ])).toThrow(/budgets\[0\]\.downgrade_to: no model "nope"[\s\S]*budgets\[1\]\.name: "a" is already/);
  });
});
