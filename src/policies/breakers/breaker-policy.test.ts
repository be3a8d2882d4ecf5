import { describe, expect, it } from 'vitest';
import type { Call } from '../../pipeline/call.js';
import { GatewayError } from '../../spec/errors.js';
import type { GovernanceEvent } from '../../spec/governance.js';
import { attempt, breakerConfig, estimate, fakeCall, fixture, prefix, type Body } from './breaker-test-helpers.js';
import { breakers, TRIP_MS_WITHOUT_WINDOW, type BreakerPolicyOptions } from './breaker-policy.js';

function setup(configs: Record<string, unknown>[], extra: Partial<BreakerPolicyOptions> = {}) {
  const clock = { now: 1_700_000_000_000 };
  const events: GovernanceEvent[] = [];
  let ids = 0;
  let estimates = 0;
  const policy = breakers({
    breakers: configs.map((config, index) => breakerConfig({ name: `b${index}`, ...config })),
    estimate: () => {
      estimates++;
      return estimate({ worstCaseUsd: 0.02 });
    },
    recordEvent: (event) => events.push(event),
    now: () => clock.now,
    newId: () => `ev-${++ids}`,
    ...extra,
  });
  /** Sends one request; `cost` is the settled cost of its upstream attempt. */
  const send = async (body: Body, options: { session?: string | null; keyId?: string; cost?: number; status?: number; dialect?: 'openai' | 'anthropic' } = {}) => {
    const { call, headers } = fakeCall({ body, dialect: options.dialect, attribution: { session: options.session === undefined ? 's-1' : options.session, keyId: options.keyId ?? null } });
    let served = false;
    await policy(call, async () => {
      served = true;
      call.attempts.push(attempt(options.cost ?? 0.001, options.status ?? 200));
    });
    return { served, headers, call };
  };
  const refused = async (body: Body, options: Parameters<typeof send>[1] = {}): Promise<GatewayError> => {
    const error = await send(body, options).then(() => null, (thrown: unknown) => thrown);
    if (!GatewayError.isInstance(error)) throw new Error(`expected a breaker refusal, got ${String(error)}`);
    return error;
  };
  return { policy, clock, events, send, refused, estimates: () => estimates };
}

const hello = (text = 'hello'): Body => ({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }] });
const distinct = (index: number): Body => hello(`question number ${index}: what is ${index * 7} plus ${index}?`);

describe('breakers: actions', () => {
  it('block: refuses with breaker_open naming breaker, session and reason, records the trip with the cost it stopped', async () => {
    const { refused, events, send, estimates } = setup([{ name: 'agent-loops' }]);
    const body = fixture('openai-repeated-tool-call.json');
    const error = await refused(body);
    expect(error).toMatchObject({ code: 'breaker_open', status: 429 });
    expect(error.message).toMatch(/Circuit breaker "agent-loops" is open for session "s-1": tool "get_weather" called 3 times/);
    expect(error.details).toMatchObject({ breaker: 'agent-loops', session: 's-1', kind: 'repeated_tool_call', tool: 'get_weather' });
    expect(error.headers?.['retry-after']).toBe(String(TRIP_MS_WITHOUT_WINDOW / 1000));
    expect(events).toEqual([expect.objectContaining({ kind: 'breaker_trip', name: 'agent-loops', session: 's-1', scope: 'session=s-1', requestId: 'req-1', costUsd: 0.02, details: expect.objectContaining({ kind: 'repeated_tool_call', newTrip: true }) })]);
    // Tripped: an innocent request of the same session is refused too; another session is not.
    await expect(send(hello())).rejects.toMatchObject({ code: 'breaker_open' });
    expect(events.at(-1)?.details).toMatchObject({ newTrip: false });
    expect((await send(hello(), { session: 's-2' })).served).toBe(true);
    expect(estimates()).toBe(2);
  });

  it('warn: serves with x-jevons-breaker-warning and records breaker_warn', async () => {
    const { send, events } = setup([{ name: 'loops', action: 'warn' }]);
    const { served, headers } = await send(fixture('openai-ab-cycle.json'));
    expect(served).toBe(true);
    expect(headers.get('x-jevons-breaker-warning')).toBe('loops: tool-call cycle web_search -> open_url repeated 3 times');
    expect(events.map((event) => event.kind)).toEqual(['breaker_warn']);
  });

  it('shadow: serves without a header and records breaker_shadow, as long as block would refuse', async () => {
    const { send, events } = setup([{ name: 'loops', action: 'shadow' }]);
    const first = await send(fixture('anthropic-no-progress.json'), { dialect: 'anthropic' });
    expect(first.served).toBe(true);
    expect(first.headers.size).toBe(0);
    expect((await send(hello())).served).toBe(true);
    expect(events.map((event) => [event.kind, event.details.kind, event.details.newTrip])).toEqual([['breaker_shadow', 'no_progress', true], ['breaker_shadow', 'no_progress', false]]);
  });

  it('applies only with a session id; session_from key uses the virtual key', async () => {
    const { send, events } = setup([{ max_calls: 1 }, { name: 'per-key', session_from: 'key', max_calls: 2, action: 'warn' }]);
    for (let index = 0; index < 3; index++) expect((await send(distinct(index), { session: null })).served).toBe(true);
    expect(events).toEqual([]);
    await send(distinct(10), { session: null, keyId: 'k-1' });
    await send(distinct(11), { session: null, keyId: 'k-1' });
    const third = await send(distinct(12), { session: null, keyId: 'k-1' });
    expect(third.headers.get('x-jevons-breaker-warning')).toBe('per-key: 2 calls in the session (max_calls 2)');
    expect(events[0]).toMatchObject({ scope: 'key=k-1', session: 'k-1' });
  });

  it('a blocking breaker wins over a warning one, and refused requests are not counted as calls', async () => {
    const { send, refused, events, policy } = setup([{ name: 'soft', max_calls: 1, action: 'warn' }, { name: 'hard', max_calls: 1 }]);
    await send(distinct(1));
    expect((await refused(distinct(2))).details).toMatchObject({ breaker: 'hard' });
    expect(events.map((event) => event.kind)).toEqual(['breaker_warn', 'breaker_trip']);
    expect(policy.state().map((state) => state.calls)).toEqual([1, 1]);
  });
});

describe('breakers: limits', () => {
  it('max_calls over the session', async () => {
    const { send, refused } = setup([{ max_calls: 3 }]);
    for (let index = 0; index < 3; index++) await send(distinct(index));
    expect((await refused(distinct(3))).details).toMatchObject({ kind: 'max_calls', calls: 3, limit: 3 });
  });

  it('max_calls over a sliding window: tripped for the window, then calls have left the window', async () => {
    const { send, refused, clock, policy } = setup([{ max_calls: 2, window: '1m' }]);
    await send(distinct(1));
    clock.now += 30_000;
    await send(distinct(2));
    clock.now += 10_000;
    const error = await refused(distinct(3));
    expect(error.message).toContain('2 calls in the last 60s');
    expect(error.headers?.['retry-after']).toBe('60');
    expect(policy.state()[0]?.tripped).toMatchObject({ kind: 'max_calls' });
    clock.now += 59_000;
    await expect(send(distinct(4))).rejects.toMatchObject({ code: 'breaker_open' });
    clock.now += 2_000;
    expect((await send(distinct(5))).served).toBe(true);
    expect(policy.state()[0]).toMatchObject({ calls: 1, tripped: null });
  });

  it('max_cost_usd: refuses once the settled cost reaches the limit', async () => {
    const { send, refused } = setup([{ max_cost_usd: 0.05 }]);
    await send(distinct(1), { cost: 0.02 });
    await send(distinct(2), { cost: 0.02 });
    expect((await send(distinct(3), { cost: 0.02 })).served).toBe(true);
    expect((await refused(distinct(4))).details).toMatchObject({ kind: 'max_cost', spentUsd: 0.06, limitUsd: 0.05 });
  });

  it('max_cost_usd in a window forgets cost that left the window', async () => {
    const { send, clock } = setup([{ max_cost_usd: 0.05, window: '10m' }]);
    await send(distinct(1), { cost: 0.04 });
    clock.now += 9 * 60_000;
    await send(distinct(2), { cost: 0.009 });
    clock.now += 2 * 60_000;
    expect((await send(distinct(3), { cost: 0.04 })).served).toBe(true);
  });

  it('max_duration: wall-clock time since the first call of the session', async () => {
    const { send, refused, clock } = setup([{ max_duration: '30m' }]);
    await send(distinct(1));
    clock.now += 29 * 60_000;
    await send(distinct(2));
    clock.now += 60_000;
    expect((await refused(distinct(3))).details).toMatchObject({ kind: 'max_duration', elapsedMs: 30 * 60_000 });
  });
});

describe('breakers: retries and repeats', () => {
  it('retry cap: the same request N times within T, whether or not it was answered', async () => {
    const { send, refused, clock } = setup([{ retry_cap: { count: 3, within: '10s' }, loops: { identical_requests: 100, similar_requests: { count: 100 } } }]);
    const storm = fixture('openai-retry-storm.json');
    await send(storm, { status: 500 });
    clock.now += 100;
    await send({ ...storm, stream: false }, { status: 500 });
    clock.now += 100;
    expect((await refused(storm)).details).toMatchObject({ kind: 'retry_cap', count: 3, limit: 3 });
  });

  it('retry cap: repeats spread wider than T are allowed', async () => {
    const { send, clock } = setup([{ retry_cap: { count: 3, within: '10s' }, loops: { identical_requests: 100, similar_requests: { count: 100 } } }]);
    for (let index = 0; index < 6; index++) {
      expect((await send(hello())).served).toBe(true);
      clock.now += 6_000;
    }
  });

  it('identical consecutive requests count only after an answer (SDK retries of a failure do not)', async () => {
    const { send, refused } = setup([{}]);
    const body = fixture('anthropic-identical-requests.json');
    await send(body, { dialect: 'anthropic', status: 529 });
    await send(body, { dialect: 'anthropic', status: 529 });
    await send(body, { dialect: 'anthropic' });
    await send(body, { dialect: 'anthropic' });
    expect((await refused(body, { dialect: 'anthropic' })).details).toMatchObject({ kind: 'identical_requests', count: 3 });
  });

  it('near-identical consecutive requests: the new content differs by a word only', async () => {
    const { send, refused } = setup([{}]);
    const log = 'Workers: w-01 healthy, w-02 healthy, w-03 healthy, w-04 restarting after an out of memory kill, w-05 healthy. Queue depth 1,204 messages; oldest message 3 minutes old. No errors were reported by the scheduler in the last ten minutes; the estimated time to completion is unknown because throughput is still being measured on the new cluster.';
    const answer = 'The job is still running. I will check its status again and report back when all shards are done.';
    const poll = (n: number): Body => ({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Wait for job 7 and tell me when it is done.' }, { role: 'assistant', content: answer }, { role: 'user', content: `Status of job 7: running, ${n} of 40 shards complete. ${log}` }] });
    for (let index = 1; index <= 3; index++) await send(poll(index));
    expect((await refused(poll(4))).details).toMatchObject({ kind: 'similar_requests', count: 4 });
  });
});

describe('breakers: a legitimate long agent session', () => {
  it.each(['openai', 'anthropic'] as const)('%s: 34 tool rounds, sent turn by turn as the agent does, never trip', async (dialect) => {
    const { send, events, policy, clock } = setup([{ retry_cap: { count: 3, within: '1m' }, max_calls: 100 }]);
    const body = fixture(`${dialect}-legit-long-session.json`);
    const messages = (body.messages as unknown[]).length;
    let rounds = 0;
    for (let count = dialect === 'openai' ? 2 : 1; count <= messages; count += 2) {
      clock.now += 4_000;
      expect((await send(prefix(body, count), { dialect })).served).toBe(true);
      rounds++;
    }
    expect(rounds).toBeGreaterThanOrEqual(34);
    expect(events).toEqual([]);
    expect(policy.state()).toEqual([expect.objectContaining({ session: 's-1', calls: rounds, tripped: null })]);
  });
});

describe('breakers: state and memory', () => {
  it('state() lists tracked sessions with their usage and current trip', async () => {
    const { send, refused, policy, clock } = setup([{ name: 'loops' }]);
    await send(distinct(1), { session: 'a', cost: 0.25 });
    clock.now += 1_000;
    await refused(fixture('openai-repeated-tool-call.json'), { session: 'b' });
    expect(policy.state()).toEqual([
      expect.objectContaining({ breaker: 'loops', session: 'a', sessionFrom: 'session', action: 'block', calls: 1, costUsd: 0.25, windowMs: null, tripped: null }),
      expect.objectContaining({ session: 'b', calls: 0, tripped: expect.objectContaining({ kind: 'repeated_tool_call', until: clock.now + TRIP_MS_WITHOUT_WINDOW }) }),
    ]);
  });

  it('keeps at most maxSessions sessions, evicting the least recently seen', async () => {
    const { send, policy } = setup([{}], { maxSessions: 2 });
    await send(distinct(1), { session: 'a' });
    await send(distinct(2), { session: 'b' });
    await send(distinct(3), { session: 'a' });
    await send(distinct(4), { session: 'c' });
    expect(policy.state().map((state) => state.session)).toEqual(['a', 'c']);
  });

  it('rejects bad options with the path', () => {
    expect(() => setup([{ name: 'x' }, { name: 'x' }])).toThrow('breakers[1].name: duplicate breaker name "x"');
    expect(() => setup([], { maxSessions: 0 })).toThrow(/maxSessions/);
  });

  it('lets an estimate error propagate when a request is caught', async () => {
    const policy = breakers({ breakers: [breakerConfig({ max_calls: 1 })], estimate: () => { throw new GatewayError({ code: 'invalid_request', message: 'cannot count' }); }, recordEvent: () => undefined, now: () => 0, newId: () => 'id' });
    const run = (call: Call) => policy(call, async () => undefined);
    await run(fakeCall({ body: distinct(1) }).call);
    await expect(run(fakeCall({ body: distinct(2) }).call)).rejects.toMatchObject({ code: 'invalid_request' });
  });
});
