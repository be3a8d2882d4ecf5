import { describe, expect, it, vi } from 'vitest';
import type { Attempt, Call } from '../../pipeline/call.js';
import type { RateLimitConfig } from '../../spec/config/governance-schema.js';
import { GatewayError } from '../../spec/errors.js';
import type { GovernanceEvent } from '../../spec/governance.js';
import type { Attribution } from '../../spec/ledger.js';
import { createMemoryCounterStore } from '../../stores/memory/index.js';
import type { CostEstimate } from '../estimate-cost.js';
import { rateLimits } from './rate-limit-policy.js';

interface FakeCall {
  call: Call;
  headers: Map<string, string>;
}

function fakeCall(attribution: Partial<Attribution> = {}, id = 'req-1'): FakeCall {
  const headers = new Map<string, string>();
  const call = {
    requestId: id,
    model: 'gpt-4o-mini',
    attribution: { keyId: null, team: null, app: null, feature: null, user: null, customer: null, session: null, tags: {}, ...attribution },
    attempts: [] as Attempt[],
    response: { setHeader: (name: string, value: string) => headers.set(name, value) },
  };
  return { call: call as unknown as Call, headers };
}

function estimateOf(parts: Partial<CostEstimate> = {}): CostEstimate {
  return {
    model: 'gpt-4o-mini', priceRef: 'p', inputTokens: 100, inputExact: true, inputMethod: 'tokenizer:o200k_base', safetyFactor: null,
    reservationInputTokens: 100, maxOutputTokens: 200, maxOutputSource: 'request:max_tokens', choices: 1, serviceTier: 'standard',
    inputUsd: 0.001, worstCaseUsd: 0.01, unpriced: false, unpricedReason: null, ...parts,
  };
}

function attempt(parts: { input: number; output: number; usd: number | null }): Attempt {
  return {
    provider: 'openai', upstreamModel: 'gpt-4o-mini', servedModel: null, startedAt: 0, firstByteAt: null, endedAt: 0, status: 200, errorCode: null,
    streamed: false, clientAborted: false, usageEstimated: false, priceRef: null, cacheSource: null, costUncachedUsd: null,
    usage: { inputTokens: parts.input, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: parts.output, reasoningTokens: 0 },
    cost: parts.usd === null ? null : { inputUsd: 0, cacheReadUsd: 0, cacheWriteUsd: 0, outputUsd: parts.usd, requestUsd: 0, totalUsd: parts.usd },
  };
}

function setup(limits: Array<Partial<RateLimitConfig> & { name: string }>, estimate: CostEstimate = estimateOf()) {
  const clock = { t: 0 };
  const now = () => clock.t;
  const counters = createMemoryCounterStore({ now });
  const events: GovernanceEvent[] = [];
  const estimateSpy = vi.fn((_call: Call) => estimate);
  let ids = 0;
  const policy = rateLimits({
    limits: limits.map((limit) => ({ scope: {}, ...limit })),
    counters, estimate: estimateSpy, recordEvent: (event) => events.push(event), now, newId: () => `ev-${(ids += 1)}`,
  });
  const run = async (fake: FakeCall, next: (call: Call) => Promise<void> = async () => {}) => policy(fake.call, () => next(fake.call));
  return { clock, counters, events, estimateSpy, policy, run };
}

async function refusal(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    if (GatewayError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the request to be refused');
}

describe('rateLimits: requests per minute', () => {
  it('refuses the request over the limit with retry-after, the limit named and an event; admits it once the window slid', async () => {
    const { clock, events, estimateSpy, run } = setup([{ name: 'per-user', scope: { user: '*' }, requests_per_minute: 3 }]);
    for (let index = 0; index < 3; index += 1) await run(fakeCall({ user: 'u1' }));
    const error = await refusal(run(fakeCall({ user: 'u1' }, 'req-4')));
    expect(error.code).toBe('rate_limited');
    expect(error.status).toBe(429);
    expect(error.message).toContain('"per-user" (user=u1)');
    expect(error.message).toContain('requests_per_minute 3');
    // 60 s to the boundary, then 3 × (1 - t/60 s) <= 2 after 20 s more.
    expect(error.headers).toMatchObject({ 'retry-after': '80', 'retry-after-ms': '80000', 'x-ratelimit-limit-requests': '3', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '2m0s' });
    expect(error.details).toMatchObject({ rate_limit: 'per-user', scope: 'user=u1', limit: 'requests_per_minute', limit_value: 3, used: 3, requested: 1, retry_after_ms: 80_000 });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'rate_limited', name: 'per-user', scope: 'user=u1', requestId: 'req-4', costUsd: null });
    expect(estimateSpy).not.toHaveBeenCalled();
    clock.t = 60_000;
    await expect(run(fakeCall({ user: 'u1' }))).rejects.toThrow(/per-user/);
    clock.t = 79_999;
    await expect(run(fakeCall({ user: 'u1' }))).rejects.toThrow(/per-user/);
    clock.t = 80_000;
    await expect(run(fakeCall({ user: 'u1' }))).resolves.toBeUndefined();
  });

  it('counts each scope value apart, and skips requests without a value or with another fixed value', async () => {
    const { run, counters } = setup([
      { name: 'per-user', scope: { user: '*' }, requests_per_minute: 1 },
      { name: 'chat', scope: { feature: 'chat', tags: { env: '*' } }, requests_per_minute: 1 },
    ]);
    await run(fakeCall({ user: 'u1' }));
    await run(fakeCall({ user: 'u2' }));
    await run(fakeCall({}));
    await run(fakeCall({}));
    await run(fakeCall({ feature: 'search', tags: { env: 'prod' } }));
    await run(fakeCall({ feature: 'search', tags: { env: 'prod' } }));
    await run(fakeCall({ feature: 'chat', tags: { env: 'prod' } }));
    await run(fakeCall({ feature: 'chat', tags: { env: 'dev' } }));
    await expect(run(fakeCall({ feature: 'chat', tags: { env: 'prod' } }))).rejects.toThrow('"chat" (feature=chat,tag.env=prod)');
    expect(await counters.get('rl:per-user:requests:user=u1:0')).toBe(1);
    expect(await counters.get('rl:chat:requests:feature=chat,tag.env=dev:0')).toBe(1);
  });

  it('sets the rate-limit headers of the most constrained limit on allowed responses', async () => {
    const { clock, run } = setup([
      { name: 'global', requests_per_minute: 100 },
      { name: 'per-key', scope: { key: '*' }, requests_per_minute: 4 },
    ]);
    clock.t = 15_000;
    const fake = fakeCall({ keyId: 'k1' });
    await run(fake);
    expect(Object.fromEntries(fake.headers)).toEqual({ 'x-ratelimit-limit-requests': '4', 'x-ratelimit-remaining-requests': '3', 'x-ratelimit-reset-requests': '1m45s' });
  });

  it('is atomic under concurrency: exactly the limit passes', async () => {
    const { run, events } = setup([{ name: 'g', requests_per_minute: 10 }]);
    const slowNext = () => new Promise<void>((resolve) => setImmediate(resolve));
    const results = await Promise.allSettled(Array.from({ length: 500 }, (_, index) => run(fakeCall({}, `r${index}`), slowNext)));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(10);
    expect(events).toHaveLength(490);
  });

  it('refuses all or nothing: a refusal by one limit takes nothing from the others', async () => {
    const { run, counters } = setup([
      { name: 'wide', requests_per_minute: 10 },
      { name: 'narrow', scope: { user: '*' }, requests_per_minute: 1 },
    ]);
    await run(fakeCall({ user: 'u1' }));
    await expect(run(fakeCall({ user: 'u1' }))).rejects.toThrow(/narrow/);
    expect(await counters.get('rl:wide:requests::0')).toBe(1);
  });

  it('rejects duplicate limit names when built', () => {
    expect(() => setup([{ name: 'a', requests_per_minute: 1 }, { name: 'a', requests_per_minute: 2 }])).toThrow('rate_limits[1].name: "a" is used by another rate limit');
  });
});

describe('rateLimits: tokens per minute and USD per hour', () => {
  it('reserves the estimate, then settles to the tokens and cost used', async () => {
    const { run, counters, estimateSpy } = setup([{ name: 't', tokens_per_minute: 1_000, usd_per_hour: 1 }], estimateOf({ reservationInputTokens: 110, maxOutputTokens: 200, choices: 2, worstCaseUsd: 0.25 }));
    const fake = fakeCall();
    await run(fake, async (call) => {
      expect(await counters.get('rl:t:tokens::0')).toBe(510);
      expect(await counters.get('rl:t:usd::0')).toBe(0.25);
      call.attempts.push(attempt({ input: 100, output: 20, usd: 0.0123 }));
    });
    expect(estimateSpy).toHaveBeenCalledTimes(1);
    expect(await counters.get('rl:t:tokens::0')).toBe(120);
    expect(await counters.get('rl:t:usd::0')).toBeCloseTo(0.0123, 12);
    expect(fake.headers.get('x-ratelimit-remaining-tokens')).toBe('490');
    expect(fake.headers.get('x-ratelimit-limit-usd')).toBe('1');
    expect(fake.headers.get('x-ratelimit-remaining-usd')).toBe('0.75');
    expect(fake.headers.get('x-ratelimit-reset-usd')).toBe('2h0m0s');
  });

  it('releases the reservation when the call fails without usage, and keeps the request counted', async () => {
    const { run, counters } = setup([{ name: 't', requests_per_minute: 5, tokens_per_minute: 1_000 }]);
    await expect(run(fakeCall(), async () => { throw new Error('upstream down'); })).rejects.toThrow('upstream down');
    expect(await counters.get('rl:t:tokens::0')).toBe(0);
    expect(await counters.get('rl:t:requests::0')).toBe(1);
  });

  it('refuses when the estimate does not fit, and admits concurrent calls up to the limit', async () => {
    const { run, events } = setup([{ name: 't', tokens_per_minute: 1_000 }], estimateOf({ reservationInputTokens: 50, maxOutputTokens: 50 }));
    const slowNext = () => new Promise<void>((resolve) => setImmediate(resolve));
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => run(fakeCall(), slowNext)));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(10);
    const refused = results.find((result) => result.status === 'rejected');
    expect(refused?.status === 'rejected' && String(refused.reason)).toContain('tokens_per_minute 1000, used 1000');
    expect(events[0]).toMatchObject({ costUsd: 0.01, details: { limit: 'tokens_per_minute', requested: 100 } });
  });

  it('lowers a reservation larger than the limit to the limit, so it waits for an empty window', async () => {
    const { clock, run, counters } = setup([{ name: 't', tokens_per_minute: 1_000 }], estimateOf({ reservationInputTokens: 100, maxOutputTokens: 128_000 }));
    await run(fakeCall(), async () => {
      expect(await counters.get('rl:t:tokens::0')).toBe(1_000);
    });
    clock.t = 1_000;
    await run(fakeCall()); // settled to 0 tokens used: the window is empty again
    await run(fakeCall(), async () => {
      await expect(run(fakeCall())).rejects.toThrow(/tokens_per_minute/);
    });
  });

  it('reserves $0 for an unpriced call', async () => {
    const { run, counters } = setup([{ name: 'u', usd_per_hour: 0.5 }], estimateOf({ worstCaseUsd: null, unpriced: true, unpricedReason: 'no-price' }));
    await run(fakeCall(), async (call) => {
      expect(await counters.get('rl:u:usd::0')).toBe(0);
      call.attempts.push(attempt({ input: 10, output: 10, usd: null }));
    });
    expect(await counters.get('rl:u:usd::0')).toBe(0);
  });

  it('does not correct a window that no longer counts', async () => {
    const { clock, run, counters } = setup([{ name: 't', tokens_per_minute: 1_000 }]);
    await run(fakeCall(), async (call) => {
      clock.t = 125_000;
      call.attempts.push(attempt({ input: 10, output: 10, usd: 0 }));
    });
    expect(await counters.get('rl:t:tokens::0')).toBe(0); // expired, and not recreated with a negative count
    expect(await counters.get('rl:t:tokens::2')).toBe(0);
  });

  it('lets an estimate error propagate without reserving anything', async () => {
    const { run, counters, estimateSpy } = setup([{ name: 't', requests_per_minute: 5, tokens_per_minute: 1_000 }]);
    estimateSpy.mockImplementation(() => {
      throw new GatewayError({ code: 'invalid_request', message: 'messages[0]: cannot count' });
    });
    await expect(run(fakeCall())).rejects.toThrow('messages[0]: cannot count');
    expect(await counters.get('rl:t:requests::0')).toBe(0);
  });
});
