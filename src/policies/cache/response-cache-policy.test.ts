import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { Attempt, Call } from '../../pipeline/call.js';
import { cacheSchema } from '../../spec/config/cache-schema.js';
import { createMemoryCacheStore } from '../../stores/memory/index.js';
import type { CachedAnswer } from './cached-answer.js';
import { responseCache, type ResponseCacheOptions, type SemanticCacheEngine, type SemanticMatch, type ShadowHitRecord } from './response-cache-policy.js';

const usage = { inputTokens: 100, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 10, reasoningTokens: 0 };

function fakeCall(text: string, headers: Record<string, string> = {}): Call & { sent: Record<string, unknown> } {
  const sent: Record<string, unknown> = {};
  const response = { setHeader: (name: string, value: unknown) => void (sent[name] = value) } as unknown as ServerResponse;
  const call = {
    requestId: 'req', dialect: 'openai', endpoint: 'chat', receivedAt: 0, headers, rawBody: Buffer.alloc(0), model: 'gpt-4o-mini', stream: false, bodyUser: null, credential: null,
    body: { model: 'gpt-4o-mini', temperature: 0, messages: [{ role: 'user', content: text }] },
    key: null, attribution: { keyId: null, team: null, app: null, feature: 'faq', user: null, customer: null, session: null, tags: {} },
    target: { provider: 'openai', upstreamModel: 'gpt-4o-mini' }, bodyOverrides: null, attempts: [], clientAborted: false, response, marks: { received: 0, upstreamSent: 0, upstreamHeaders: 0 },
  };
  return Object.assign(call as unknown as Call, { sent });
}

/** The upstream: one successful attempt answering `answer`. */
const upstream = (answer: string) => async (call: Call) => {
  const attempt: Attempt = { provider: 'openai', upstreamModel: 'gpt-4o-mini', servedModel: 'gpt-4o-mini-2024', startedAt: 0, firstByteAt: 0, endedAt: 0, status: 200, errorCode: null, streamed: false, clientAborted: false, usage, usageEstimated: false, cost: { inputUsd: 1, cacheReadUsd: 0, cacheWriteUsd: 0, outputUsd: 1, requestUsd: 0, totalUsd: 2 }, priceRef: 'ref', cacheSource: null, costUncachedUsd: 2 };
  call.attempts.push(attempt);
  if (call.cacheCapture) call.cacheCapture.response = { id: 'x', model: 'gpt-4o-mini-2024', created: 0, content: [{ type: 'text', text: answer }], finishReason: 'stop', usage };
};

function setup(config: Record<string, unknown>, extra: Partial<ResponseCacheOptions> = {}) {
  let clock = 1_000_000;
  const served: Array<{ answer: CachedAnswer; headers: Record<string, string> }> = [];
  const cache = cacheSchema.parse(config);
  const policy = responseCache({
    exact: cache.exact,
    semantic: cache.semantic,
    store: createMemoryCacheStore({ now: () => clock, maxEntries: 100 }),
    now: () => clock,
    replay: async (_call, answer, headers) => void served.push({ answer, headers }),
    priceUncached: () => 2.5,
    ...extra,
  });
  let upstreamCalls = 0;
  const run = async (call: Call, answer = 'from upstream', spoil?: (attempt: Attempt) => void) =>
    policy(call, async () => {
      upstreamCalls++;
      await upstream(answer)(call);
      if (spoil) spoil(call.attempts[call.attempts.length - 1] as Attempt);
    });
  return { run, served, advance: (ms: number) => void (clock += ms), upstreamCalls: () => upstreamCalls };
}

describe('exact cache policy', () => {
  it('serves within the TTL (with its age) and calls upstream again after it', async () => {
    const cache = setup({ exact: { enabled: true, ttl: '10m' } });
    await cache.run(fakeCall('hi'));
    cache.advance(90_000);
    const hit = fakeCall('hi');
    await cache.run(hit);
    expect(cache.upstreamCalls()).toBe(1);
    expect(cache.served[0]?.headers).toEqual({ 'x-jevons-cache': 'hit', 'x-jevons-cache-age': '90' });
    expect(hit.attempts).toEqual([expect.objectContaining({ cacheSource: 'exact', provider: 'openai', servedModel: 'gpt-4o-mini-2024', priceRef: 'ref', costUncachedUsd: 2.5, status: 200 })]);
    // Nothing billed: no tokens, no cost.
    expect(hit.attempts[0]?.usage).toMatchObject({ inputTokens: 0, cacheReadTokens: 0, outputTokens: 0 });
    expect(hit.attempts[0]?.cost?.totalUsd).toBe(0);
    cache.advance(600_000);
    const expired = fakeCall('hi');
    await cache.run(expired);
    expect(cache.upstreamCalls()).toBe(2);
    expect(expired.sent['x-jevons-cache']).toBe('miss');
  });

  it('a rule changes the TTL for its feature', async () => {
    const cache = setup({ exact: { enabled: true, ttl: '1h', rules: [{ feature: 'faq', ttl: '1m' }] } });
    await cache.run(fakeCall('hi'));
    cache.advance(61_000);
    await cache.run(fakeCall('hi'));
    expect(cache.upstreamCalls()).toBe(2);
  });

  it.each([
    ['an estimated usage', (attempt: Attempt) => (attempt.usageEstimated = true)],
    ['an error status', (attempt: Attempt) => (attempt.status = 500)],
    ['a client abort', (attempt: Attempt) => (attempt.clientAborted = true)],
  ])('does not store an answer with %s', async (_name, spoil) => {
    const cache = setup({ exact: { enabled: true } });
    await cache.run(fakeCall('hi'), 'answer', spoil);
    await cache.run(fakeCall('hi'));
    expect(cache.upstreamCalls()).toBe(2);
  });
});

function fakeEngine(match: SemanticMatch | null) {
  const added: Array<{ partition: string; text: string; expiresAt: number }> = [];
  const lookups: Array<{ partition: string; text: string; threshold: number }> = [];
  const engine: SemanticCacheEngine = {
    lookup: async (input) => (lookups.push(input), match),
    add: async (input) => void added.push(input),
    close: async () => undefined,
  };
  return { engine, added, lookups };
}

describe('semantic serving', () => {
  const storedAnswer = async (): Promise<Uint8Array> => {
    const fake = fakeEngine(null);
    const cache = setup({ semantic: { enabled: true, mode: 'serve' } }, { semanticEngine: fake.engine });
    let payload: Uint8Array | null = null;
    fake.engine.add = async (input) => void (payload = input.payload);
    await cache.run(fakeCall('What are your opening hours?'), 'Nine to five.');
    if (payload === null) throw new Error('nothing stored');
    return payload;
  };

  it('serve: answers a similar question from the cache with its similarity', async () => {
    const payload = await storedAnswer();
    const fake = fakeEngine({ similarity: 0.9512, text: 'What are your opening hours?', payload, storedAt: 1_000_000 - 5_000 });
    const cache = setup({ semantic: { enabled: true, mode: 'serve', threshold: 0.9, rules: [{ feature: 'faq', threshold: 0.95 }] } }, { semanticEngine: fake.engine });
    const call = fakeCall('When are you open?');
    await cache.run(call);
    expect(cache.upstreamCalls()).toBe(0);
    expect(fake.lookups[0]).toMatchObject({ text: 'When are you open?', threshold: 0.95 });
    expect(cache.served[0]?.headers).toEqual({ 'x-jevons-cache': 'semantic-hit', 'x-jevons-cache-similarity': '0.9512', 'x-jevons-cache-age': '5' });
    expect(cache.served[0]?.answer.response.content).toEqual([{ type: 'text', text: 'Nine to five.' }]);
    expect(call.attempts[0]).toMatchObject({ cacheSource: 'semantic', costUncachedUsd: 2.5 });
  });

  it('shadow: records the would-be hit, calls upstream and stores the fresh answer', async () => {
    const payload = await storedAnswer();
    const fake = fakeEngine({ similarity: 0.93, text: 'What are your opening hours?', payload, storedAt: 0 });
    const shadows: ShadowHitRecord[] = [];
    const cache = setup({ semantic: { enabled: true, mode: 'shadow', threshold: 0.9 } }, { semanticEngine: fake.engine, recordShadowHit: (hit) => shadows.push(hit) });
    const call = fakeCall('When are you open?');
    await cache.run(call);
    expect(cache.upstreamCalls()).toBe(1);
    expect(cache.served).toHaveLength(0);
    expect(shadows).toEqual([expect.objectContaining({ requestId: 'req', feature: 'faq', model: 'gpt-4o-mini', similarity: 0.93, question: 'When are you open?', matchedQuestion: 'What are your opening hours?', answerText: 'Nine to five.' })]);
    expect(fake.added).toEqual([expect.objectContaining({ text: 'When are you open?', expiresAt: 1_000_000 + 86_400_000 })]);
    expect(call.sent['x-jevons-cache']).toBe('miss');
  });

  it('runs only after an exact miss, and not for sampled requests', async () => {
    const payload = await storedAnswer();
    const fake = fakeEngine({ similarity: 0.99, text: 'q', payload, storedAt: 0 });
    const cache = setup({ exact: { enabled: true }, semantic: { enabled: true, mode: 'serve', threshold: 0.9 } }, { semanticEngine: fake.engine });
    await cache.run(fakeCall('hello'));
    expect(cache.served[0]?.headers['x-jevons-cache']).toBe('semantic-hit');
    const sampled = fakeCall('hello');
    sampled.body.temperature = 0.8;
    await cache.run(sampled);
    expect(fake.lookups).toHaveLength(1);
    expect(sampled.sent['x-jevons-cache']).toBe('bypass');
  });
});
