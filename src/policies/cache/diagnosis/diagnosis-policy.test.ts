import { describe, expect, it } from 'vitest';
import type { Attempt, Call } from '../../../pipeline/call.js';
import type { CacheBreakerFinding } from './detector.js';
import { cacheDiagnosis, type CacheDiagnosisOptions } from './diagnosis-policy.js';
import { T0, iso, stableText } from './diagnosis-test-helpers.js';

const served = (overrides: Partial<Attempt> = {}): Attempt => ({
  provider: 'anthropic', upstreamModel: 'claude-sonnet-4-5', servedModel: null, startedAt: 0, firstByteAt: null, endedAt: 0, status: 200, errorCode: null,
  streamed: false, clientAborted: false, usageEstimated: false, priceRef: null, cacheSource: null, costUncachedUsd: null, usage: null, cost: null, ...overrides,
});

function fakeCall(body: unknown, options: { at?: number; attempt?: Attempt | null; feature?: string | null } = {}): Call {
  const call = {
    requestId: 'r', dialect: 'anthropic', endpoint: 'messages', receivedAt: options.at ?? T0, model: 'claude-sonnet-4-5', body,
    rawBody: Buffer.from(JSON.stringify(body) ?? ''),
    attribution: { keyId: null, team: null, app: null, feature: options.feature === undefined ? 'support-bot' : options.feature, user: null, customer: null, session: null, tags: {} },
    attempts: [] as Attempt[],
  };
  const attempt = options.attempt === undefined ? served() : options.attempt;
  if (attempt !== null) call.attempts.push(attempt);
  return call as unknown as Call;
}

const instructions = stableText(80);
const body = (i: number) => ({ system: `Now: ${iso(T0 + i * 60_000)}\n${instructions}`, messages: [{ role: 'user', content: 'hi' }] });

function setup(overrides: Partial<CacheDiagnosisOptions> = {}) {
  const deferred: Array<() => void> = [];
  const written: CacheBreakerFinding[][] = [];
  const policy = cacheDiagnosis({
    config: { enabled: true, min_prompt_tokens: 1_024 },
    price: () => ({ inputPerToken: 0.000003, cacheReadPerToken: 0.0000003 }),
    write: (findings) => void written.push(findings),
    defer: (run) => void deferred.push(run),
    ...overrides,
  });
  const runDeferred = () => {
    while (deferred.length > 0) deferred.shift()?.();
  };
  return { policy, deferred, written, runDeferred };
}

describe('cache diagnosis policy', () => {
  it('only enqueues on the request path; the comparison runs deferred; close writes the findings', async () => {
    const { policy, deferred, written, runDeferred } = setup();
    let nextCalls = 0;
    for (let i = 0; i < 3; i += 1) await policy(fakeCall(body(i), { at: T0 + i * 60_000 }), async () => void (nextCalls += 1));
    expect(nextCalls).toBe(3);
    expect(policy.stats()).toMatchObject({ queued: 3, observed: 0 });
    // One worker turn scheduled for the three prompts, nothing compared yet.
    expect(deferred).toHaveLength(1);
    runDeferred();
    expect(policy.stats()).toMatchObject({ queued: 3, observed: 3, occurrences: 2, dropped: 0, errors: 0 });
    expect(written).toEqual([]);
    await policy.close();
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject([{ day: '2026-11-23', feature: 'support-bot', model: 'claude-sonnet-4-5', kind: 'timestamp', location: 'system', occurrences: 2, example: 'dddd-dd-ddTdd:dd:ddZ' }]);
    expect(JSON.stringify(written)).not.toContain('Rule 1');
  });

  it('calls next and never throws, even with a malformed body', async () => {
    const { policy, runDeferred } = setup({ estimateTokens: () => 5_000 });
    const malformed = [null, 'text', 42, [], { messages: 'oops', tools: 5, system: { nested: true } }, { messages: [null, 3, { content: [null, 7, { type: 'image' }] }] }];
    for (const value of malformed) {
      let called = false;
      await expect(policy(fakeCall(value), async () => void (called = true))).resolves.toBeUndefined();
      expect(called).toBe(true);
    }
    expect(() => runDeferred()).not.toThrow();
    expect(policy.stats().errors).toBe(0);
    // Even a throwing estimate does not reach the caller.
    const broken = setup({ estimateTokens: () => { throw new Error('boom'); }, onError: () => undefined });
    await expect(broken.policy(fakeCall(body(0)), async () => undefined)).resolves.toBeUndefined();
    expect(broken.policy.stats()).toMatchObject({ errors: 1, queued: 0 });
  });

  it('lets a failure of the inner handler through and does not observe that call', async () => {
    const { policy } = setup();
    await expect(policy(fakeCall(body(0)), async () => Promise.reject(new Error('upstream down')))).rejects.toThrow('upstream down');
    expect(policy.stats().queued).toBe(0);
  });

  it('skips calls that did not reach a provider, short prompts, and drops past the queue bound', async () => {
    const { policy } = setup({ queueSize: 2 });
    const noop = async () => undefined;
    await policy(fakeCall(body(0), { attempt: served({ cacheSource: 'exact' }) }), noop);
    await policy(fakeCall(body(0), { attempt: served({ status: 500 }) }), noop);
    await policy(fakeCall(body(0), { attempt: null }), noop);
    await policy(fakeCall({ system: 'short', messages: [] }), noop);
    expect(policy.stats().queued).toBe(0);
    for (let i = 0; i < 4; i += 1) await policy(fakeCall(body(i), { feature: null }), noop);
    expect(policy.stats()).toMatchObject({ queued: 2, dropped: 2 });
    policy.drainQueue();
    expect(policy.stats().observed).toBe(2);
  });

  it('does nothing when disabled', async () => {
    const { policy, deferred } = setup({ config: { enabled: false, min_prompt_tokens: 1_024 } });
    let called = false;
    await policy(fakeCall(body(0)), async () => void (called = true));
    expect(called).toBe(true);
    expect(deferred).toHaveLength(0);
    expect(policy.stats().queued).toBe(0);
  });

  it('reports a failing write to onError and keeps serving', async () => {
    const errors: unknown[] = [];
    const { policy } = setup({ write: () => Promise.reject(new Error('disk full')), onError: (error) => void errors.push(error) });
    for (let i = 0; i < 2; i += 1) await policy(fakeCall(body(i), { at: T0 + i }), async () => undefined);
    policy.drainQueue();
    await policy.flush();
    expect(errors).toHaveLength(1);
    expect(policy.stats().errors).toBe(1);
  });
});
