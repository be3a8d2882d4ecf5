import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { Call, RouteTarget } from '../../pipeline/call.js';
import { roundUsd } from '../../pricing/index.js';
import { governanceSchemas } from '../../spec/config/governance-schema.js';
import { GatewayError } from '../../spec/errors.js';
import type { BudgetOverrides, BudgetSpendUpdate, SpendQuery } from '../../spec/governance.js';
import type { CostEstimate } from '../estimate-cost.js';
import { budgets } from './budget-policy.js';
import { createMemoryCounterStore } from '../../stores/memory/index.js';

/** `big`: 100 input tokens at 1e-5 and up to 1,000 output tokens at 1e-4: a worst case of 0.101 USD. */
function fakeEstimate(call: Call): CostEstimate {
  const worst = roundUsd(100 * 1e-5 + 1_000 * 1e-4);
  return {
    model: 'big', priceRef: 'test:big', inputTokens: 100, inputExact: true, inputMethod: 'tokenizer:o200k_base', safetyFactor: null,
    reservationInputTokens: 100, maxOutputTokens: 1_000, maxOutputSource: 'request:max_tokens', choices: 1, serviceTier: 'standard',
    inputUsd: 0.001, worstCaseUsd: call.model === 'big' ? worst : null, unpriced: false, unpricedReason: null,
  };
}

const target: RouteTarget = { provider: 'p', upstreamModel: 'big' };
let requests = 0;
function fakeCall(team: string | null = null): Call {
  return {
    requestId: `req-${++requests}`, dialect: 'openai', endpoint: 'chat', receivedAt: 0, headers: {}, body: { model: 'big', messages: [] }, rawBody: Buffer.alloc(0),
    model: 'big', stream: false, bodyUser: null, credential: null, key: null,
    attribution: { keyId: 'k1', team, app: null, feature: null, user: null, customer: null, session: 's1', tags: {} },
    target, bodyOverrides: null, attempts: [], controller: null, clientAborted: false,
    response: { setHeader: () => undefined } as unknown as ServerResponse,
    marks: { received: 0, upstreamSent: 0, upstreamHeaders: 0 },
  } as unknown as Call;
}

const T0 = Date.UTC(2026, 5, 15, 12);
const DAY = Date.UTC(2026, 5, 15);

function setup(input: unknown[], restored: { usd: number; tokens: number } = { usd: 0, tokens: 0 }) {
  let clock = T0;
  const counters = createMemoryCounterStore({ now: () => clock });
  const spends: BudgetSpendUpdate[] = [];
  const restores: SpendQuery[] = [];
  let ids = 0;
  const policy = budgets({
    budgets: governanceSchemas.budgets.parse(input),
    counters,
    estimate: fakeEstimate,
    resolveModel: () => null,
    restore: async (query) => (restores.push(query), restored),
    onSpend: (update) => spends.push(update),
    recordEvent: () => undefined,
    now: () => clock,
    newId: () => `ev-${++ids}`,
  });
  /** One call billed `usd` (600 tokens); resolves to 'served' or the refusing budget's error code. */
  const send = async (team: string | null = null, usd = 0.1): Promise<string> => {
    const call = fakeCall(team);
    try {
      await policy(call, async () => {
        call.attempts.push({
          provider: 'p', upstreamModel: 'big', servedModel: null, startedAt: 0, firstByteAt: null, endedAt: 0, status: 200, errorCode: null, streamed: false, clientAborted: false, usageEstimated: false, priceRef: null, cacheSource: null, costUncachedUsd: null,
          usage: { inputTokens: 100, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 500, reasoningTokens: 0 },
          cost: { inputUsd: 0, cacheReadUsd: 0, cacheWriteUsd: 0, outputUsd: usd, requestUsd: 0, totalUsd: usd },
        });
      });
      return 'served';
    } catch (error) {
      if (GatewayError.isInstance(error)) return error.code;
      throw error;
    }
  };
  const apply = (overrides: Partial<BudgetOverrides>) => policy.applyOverrides({ limits: [], resets: [], ...overrides });
  return { policy, counters, spends, restores, send, apply, advance: (ms: number) => (clock += ms), now: () => clock };
}

const limit = (name: string, limitUsd: number | null, limitTokens: number | null = null) => ({ name, limitUsd, limitTokens, updatedAt: T0 });

describe('budgets set (limit overrides)', () => {
  it('raises and lowers the limit for the next reservation; without the override the configured limit is back', async () => {
    const s = setup([{ name: 'daily', period: 'daily', limit_usd: 0.15 }]);
    expect(await s.send()).toBe('served');
    expect(await s.send()).toBe('budget_exceeded'); // 0.1 spent + 0.101 reserved > 0.15
    s.apply({ limits: [limit('daily', 1)] });
    expect(await s.send()).toBe('served');
    expect(s.spends.at(-1)).toMatchObject({ budget: 'daily', spentUsd: 0.2, limitUsd: 1, limitTokens: null });
    s.apply({ limits: [limit('daily', 0.25)] });
    expect(await s.send()).toBe('budget_exceeded'); // 0.2 + 0.101 > 0.25
    s.apply({ limits: [limit('daily', 1)] });
    expect(await s.send()).toBe('served');
    s.apply({ limits: [] }); // --clear: jevons.yaml's 0.15 again
    expect(await s.send()).toBe('budget_exceeded');
  });

  it('a null limit keeps the configured one; an override of another budget changes nothing here', async () => {
    const s = setup([
      { name: 'both', period: 'daily', limit_usd: 0.15, limit_tokens: 100_000 },
      { name: 'other', period: 'daily', limit_usd: 10 },
    ]);
    s.apply({ limits: [limit('both', null, 200_000), limit('other', 100)] });
    expect(await s.send()).toBe('served');
    expect(s.spends.find((update) => update.budget === 'both')).toMatchObject({ limitUsd: 0.15, limitTokens: 200_000 });
    expect(await s.send()).toBe('budget_exceeded');
  });

  it('a token limit added to a USD budget counts the tokens spent before it (ledger) and after it (live)', async () => {
    const s = setup([{ name: 'usd', period: 'daily', limit_usd: 100 }], { usd: 0, tokens: 1_000 });
    expect(await s.send()).toBe('served'); // 600 tokens, counted live in USD only
    expect(s.restores).toHaveLength(1);
    s.advance(60_000);
    s.apply({ limits: [limit('usd', null, 2_500)] });
    // The ledger (here: 1,000 tokens) fills in the new counters up to the override; the reservation holds 1,100.
    expect(await s.send()).toBe('served');
    expect(s.restores.at(-1)).toEqual({ since: DAY, until: T0 + 60_000, match: {} });
    expect(s.spends.at(-1)).toMatchObject({ spentTokens: 1_600, limitTokens: 2_500 });
    expect(await s.send()).toBe('budget_exceeded'); // 1,600 + 1,100 > 2,500
    // Cleared: back to USD only, and the USD count has gone on in the moved counters (no spend lost).
    s.apply({ limits: [] });
    expect(await s.send()).toBe('served');
    expect(s.spends.at(-1)).toMatchObject({ spentUsd: 0.2, limitTokens: null });
  });
});

describe('budgets reset', () => {
  const perTeam = [{ name: 'team', scope: { team: '*' }, period: 'daily', limit_usd: 0.15 }];

  it('zeroes the spend of one scope value only', async () => {
    const s = setup(perTeam);
    expect(await s.send('a')).toBe('served');
    expect(await s.send('b')).toBe('served');
    const oldKey = `budget:team:team=a:${DAY}:usd`;
    expect(await s.counters.get(oldKey)).toBeCloseTo(0.1);
    s.advance(1_000);
    s.apply({ resets: [{ name: 'team', scope: 'team=a', resetAt: s.now() - 500 }] });
    await Promise.resolve();
    expect(await s.counters.get(oldKey)).toBe(0);
    expect(await s.send('a')).toBe('served');
    expect(await s.send('a')).toBe('budget_exceeded');
    expect(await s.send('b')).toBe('budget_exceeded');
    // The same set again (the poller reads it every tick) changes nothing.
    s.apply({ resets: [{ name: 'team', scope: 'team=a', resetAt: s.now() - 500 }] });
    expect(await s.send('a')).toBe('budget_exceeded');
  });

  it("with scope '' zeroes every scope value", async () => {
    const s = setup(perTeam);
    for (const team of ['a', 'b']) expect(await s.send(team)).toBe('served');
    s.advance(1_000);
    s.apply({ resets: [{ name: 'team', scope: '', resetAt: s.now() }] });
    for (const team of ['a', 'b']) expect(await s.send(team)).toBe('served');
    for (const team of ['a', 'b']) expect(await s.send(team)).toBe('budget_exceeded');
  });

  it('a reset before the current period changes nothing', async () => {
    const s = setup([{ name: 'daily', period: 'daily', limit_usd: 0.15 }]);
    expect(await s.send()).toBe('served');
    s.apply({ resets: [{ name: 'daily', scope: '', resetAt: DAY - 1 }] });
    expect(await s.send()).toBe('budget_exceeded');
  });

  it('a restore after a reset starts at the reset, not the period start', async () => {
    // A reset made while the gateway was down: the ledger from the reset to the process start is the spend.
    const down = setup([{ name: 'daily', period: 'daily', limit_usd: 0.15 }], { usd: 0.04, tokens: 0 });
    down.apply({ resets: [{ name: 'daily', scope: '', resetAt: T0 - 3_600_000 }] });
    expect(await down.send()).toBe('served');
    expect(down.restores).toEqual([{ since: T0 - 3_600_000, until: T0, match: {} }]);
    expect(down.spends.at(-1)).toMatchObject({ spentUsd: 0.14, periodStart: DAY });
    expect(await down.send()).toBe('budget_exceeded');

    // A reset while running: the ledger fills in from the reset to when the gateway applied it (the poll lag).
    const up = setup([{ name: 'daily', period: 'daily', limit_usd: 0.15 }], { usd: 0.01, tokens: 0 });
    expect(await up.send()).toBe('served');
    up.advance(600_000);
    up.apply({ resets: [{ name: 'daily', scope: '', resetAt: T0 + 599_000 }] });
    expect(await up.send()).toBe('served');
    expect(up.restores.at(-1)).toEqual({ since: T0 + 599_000, until: T0 + 600_000, match: {} });
    expect(up.spends.at(-1)).toMatchObject({ spentUsd: 0.11 });
  });

  it('a rolling window keeps counting after the reset has left the window', async () => {
    const s = setup([{ name: 'roll', period: 'rolling', window: '1h', limit_usd: 0.25 }]);
    expect(await s.send()).toBe('served');
    s.advance(60_000);
    s.apply({ resets: [{ name: 'roll', scope: '', resetAt: s.now() }] });
    s.advance(2_940_000);
    expect(await s.send()).toBe('served'); // at 50 min, after the reset
    s.advance(700_000); // the reset is now older than the window; the spend at 50 min still counts
    expect(await s.send()).toBe('served');
    expect(await s.send()).toBe('budget_exceeded');
  });
});
