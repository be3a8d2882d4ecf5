import { describe, expect, it } from 'vitest';
import { createDetector, type DetectorOptions, type Occurrence, type PromptObservation } from './detector.js';
import { DAY, T0, iso, observation, prose, stableText, tool, uuid } from './diagnosis-test-helpers.js';
import { serializePrompt } from './serialize-prompt.js';

const prices = { inputPerToken: 0.000003, cacheReadPerToken: 0.0000003 };

function detector(overrides: Partial<DetectorOptions> = {}) {
  return createDetector({ minPromptTokens: 1_024, price: () => prices, ...overrides });
}

/** Feeds the observations in order; returns what each one found. */
function run(observations: PromptObservation[], overrides: Partial<DetectorOptions> = {}) {
  const d = detector(overrides);
  return { found: observations.map((o) => d.observe(o)), detector: d };
}

const totalChars = (o: PromptObservation) => serializePrompt({ endpoint: o.endpoint, body: o.body, maxChars: Number.POSITIVE_INFINITY }).totalChars;

describe('cache-breaker detector', () => {
  const instructions = stableText(80);

  it('finds a timestamp at the top of the system prompt, with its location, offsets and the tokens after it', () => {
    const body = (i: number) => ({
      model: 'claude-sonnet-4-5',
      system: `You are the support assistant. Now: ${iso(T0 + i * 61_000)}.\n${instructions}`,
      messages: [{ role: 'user', content: 'Summarise the open tickets of today.' }],
    });
    const observations = [0, 1, 2].map((i) => observation(body(i), { at: T0 + i * 61_000 }));
    const { found } = run(observations);
    expect(found[0]).toBeNull();
    const second = found[1] as Occurrence;
    const text = body(1).system;
    const start = text.indexOf('2026');
    const end = start + iso(T0).length;
    const chars = totalChars(observations[1] as PromptObservation);
    expect(second).toMatchObject({ kind: 'timestamp', location: 'system', example: 'dddd-dd-ddTdd:dd:ddZ', charOffset: start, day: '2026-11-23', feature: 'support-bot', model: 'claude-sonnet-4-5' });
    // Everything after the timestamp matched the earlier prompt: the rest of the system prompt and the user message.
    expect(second.tokensAfter).toBe(Math.round(((chars - end) * 5_000) / chars));
    expect(second.tokenOffset).toBe(Math.round((start * 5_000) / chars));
    expect(found[2]).toMatchObject({ kind: 'timestamp', location: 'system' });
  });

  it('finds a request id in the first user message of an OpenAI chat', () => {
    const document = stableText(60, 'contract');
    const body = (i: number) => ({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'You review contracts.' },
        { role: 'user', content: `request_id=${uuid(i + 1)}\nReview this contract:\n${document}` },
      ],
    });
    const { found } = run([0, 1].map((i) => observation(body(i), { endpoint: 'chat', model: 'gpt-4o', provider: 'openai', upstreamModel: 'gpt-4o', at: T0 + i })));
    expect(found[1]).toMatchObject({ kind: 'request_id', location: 'messages[1].content', example: '<uuid>', charOffset: 'You review contracts.'.length + 'request_id='.length });
  });

  it('finds reordered tools (same set, another order)', () => {
    const tools = [tool('search', { q: { type: 'string' } }), tool('fetch_order', { id: { type: 'string' } }), tool('refund', { id: { type: 'string' }, amount: { type: 'number' } })];
    const body = (order: number[]) => ({ tools: order.map((i) => tools[i]), system: instructions, messages: [{ role: 'user', content: 'Where is my order?' }] });
    const first = observation(body([0, 1, 2]));
    const { found } = run([first, observation(body([0, 2, 1]), { at: T0 + 1 })]);
    const toolChars = JSON.stringify(tools[0]).length;
    expect(found[1]).toMatchObject({ kind: 'reordered_tools', location: 'tools[1]', charOffset: toolChars });
    const chars = totalChars(first);
    // Nothing after the first tool out of place was read from the cache.
    expect(found[1]?.tokensAfter).toBe(Math.round(((chars - toolChars) * 5_000) / chars));
  });

  it('finds reordered JSON keys in the system prompt', () => {
    const config = { plan: 'enterprise', region: 'eu-west-1', limits: { seats: 40, storage_gb: 500 }, features: ['sso', 'audit'] };
    const reordered = { limits: { storage_gb: 500, seats: 40 }, features: ['sso', 'audit'], region: 'eu-west-1', plan: 'enterprise' };
    const body = (value: unknown) => ({ system: `Customer account: ${JSON.stringify(value)}\n${instructions}`, messages: [{ role: 'user', content: 'Can I add seats?' }] });
    const { found } = run([observation(body(config)), observation(body(reordered), { at: T0 + 1 })]);
    expect(found[1]).toMatchObject({ kind: 'reordered_json_keys', location: 'system', charOffset: 'Customer account: {"'.length });
  });

  it('finds reordered keys inside a tool schema', () => {
    const a = tool('search', { q: { type: 'string' }, limit: { type: 'number' } });
    const b = { ...a, input_schema: { required: ['q', 'limit'], type: 'object', properties: { q: { type: 'string' }, limit: { type: 'number' } } } };
    const body = (t: unknown) => ({ tools: [t], system: instructions, messages: [{ role: 'user', content: 'hello' }] });
    const { found } = run([observation(body(a)), observation(body(b), { at: T0 + 1 })]);
    expect(found[1]).toMatchObject({ kind: 'reordered_json_keys', location: 'tools[0]' });
  });

  it('reports a small generic difference before a long stable tail as "other", masked to its size', () => {
    const body = (name: string) => ({ system: `You are talking to ${name}, be kind.\n${instructions}`, messages: [{ role: 'user', content: 'hi' }] });
    const { found } = run([observation(body('Alice')), observation(body('Bob'), { at: T0 + 1 })]);
    expect(found[1]).toMatchObject({ kind: 'other', location: 'system', example: '<text×5>' });
    expect(JSON.stringify(found[1])).not.toMatch(/Alice|Bob/);
  });

  it('does not report different conversations behind the same stable prefix', () => {
    const conversation = (seed: number, turns: number) =>
      Array.from({ length: turns }, (_, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content: prose(seed * 100 + i, 120) }));
    const body = (seed: number, turns: number) => ({ system: instructions, messages: conversation(seed, turns) });
    const { found } = run([observation(body(1, 4)), observation(body(2, 6), { at: T0 + 1 }), observation(body(3, 2), { at: T0 + 2 })]);
    expect(found).toEqual([null, null, null]);
    // Different short last questions after the same stable prompt are not breakers either.
    const short = (q: string) => ({ system: instructions, messages: [{ role: 'user', content: q }] });
    expect(run([observation(short('What is X?')), observation(short('How do I reset my password?'), { at: T0 + 1 })]).found).toEqual([null, null]);
  });

  it('does not report a conversation that grows, nor a prompt sent again', () => {
    const messages = [{ role: 'user', content: 'first question' }, { role: 'assistant', content: 'first answer' }, { role: 'user', content: 'second' }];
    const body = (n: number) => ({ system: instructions, messages: messages.slice(0, n) });
    const { found } = run([observation(body(1)), observation(body(3), { at: T0 + 1 }), observation(body(3), { at: T0 + 2 })]);
    expect(found).toEqual([null, null, null]);
  });

  it('does not report a breaker whose prefix another recent prompt already shares (same minute)', () => {
    const body = (stamp: string) => ({ system: `Now: ${stamp}\n${instructions}`, messages: [{ role: 'user', content: 'hi' }] });
    const { found } = run([observation(body('2026-11-23 16:38')), observation(body('2026-11-23 16:39'), { at: T0 + 1 }), observation(body('2026-11-23 16:39'), { at: T0 + 2 })]);
    expect(found[1]).toMatchObject({ kind: 'timestamp' });
    expect(found[2]).toBeNull();
  });

  it('ignores short prompts, other families and expired history', () => {
    const body = (i: number) => ({ system: `Now: ${iso(T0 + i * 1_000)}\n${instructions}`, messages: [{ role: 'user', content: 'hi' }] });
    expect(run([observation(body(0), { estimatedTokens: 900 }), observation(body(1), { estimatedTokens: 900, at: T0 + 1 })]).found).toEqual([null, null]);
    expect(run([observation(body(0)), observation(body(1), { feature: 'other-feature', at: T0 + 1 })]).found).toEqual([null, null]);
    expect(run([observation(body(0)), observation(body(1), { model: 'claude-haiku-4-5', at: T0 + 1 })]).found).toEqual([null, null]);
    expect(run([observation(body(0)), observation(body(1), { at: T0 + 3_600_001 })]).found).toEqual([null, null]);
  });

  it('computes the money lost per day exactly from known prices, and aggregates per (day, feature, model, kind, location)', () => {
    const suffix = 'x'.repeat(4_000);
    // Prompt text = "Time <10 digits>;" + 4,000 x = 4,016 characters, priced as 4,016 estimated tokens (1 token per char).
    const body = (i: number) => ({ system: `Time ${1_763_900_000 + i};${suffix}`, messages: [] });
    const at = (day: number, i: number) => T0 + day * DAY + i;
    // The first prompt of each day has no recent prompt to compare with (the cache expired overnight).
    const observations = [at(0, 0), at(0, 1), at(0, 2), at(1, 3), at(1, 4), at(1, 5)].map((time, i) => observation(body(i), { estimatedTokens: 4_016, at: time }));
    const unpriced = { provider: 'local', upstreamModel: 'mystery' };
    const d = detector({ price: (provider) => (provider === 'anthropic' ? { inputPerToken: 0.000004, cacheReadPerToken: 0.0000005 } : null) });
    const found = observations.map((o, i) => d.observe(i === 4 ? { ...o, ...unpriced } : o));
    expect(found[1]).toMatchObject({ kind: 'timestamp', example: 'dddddddddd (unix time)', tokensAfter: 4_001, charOffset: 5 });
    // 4,001 tokens × ($4 − $0.50) per million = $0.0140035 per occurrence.
    expect(found[1]?.lostUsd).toBeCloseTo(0.0140035, 12);
    const rows = d.drain().sort((a, b) => a.day.localeCompare(b.day));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ day: '2026-11-23', occurrences: 2, pricedOccurrences: 2, tokensAfter: 8_002, location: 'system', lastSeenAt: at(0, 2) });
    expect(rows[0]?.lostUsd).toBeCloseTo(0.028007, 12);
    // Day 2: one priced occurrence, one on an unpriced model (counted, money unknown).
    expect(rows[1]).toMatchObject({ day: '2026-11-24', occurrences: 2, pricedOccurrences: 1, tokensAfter: 8_002 });
    expect(rows[1]?.lostUsd).toBeCloseTo(0.0140035, 12);
    expect(d.drain()).toEqual([]);
  });

  it('keeps its memory bounded: prompts per family, families, characters', () => {
    const d = detector({ historyPerFamily: 2, maxFamilies: 3, maxHeldChars: 50_000 });
    const body = { system: instructions, messages: [{ role: 'user', content: 'hi' }] };
    for (let i = 0; i < 5; i += 1) d.observe(observation(body, { at: T0 + i }));
    expect(d.held()).toMatchObject({ families: 1, prompts: 2 });
    for (let i = 0; i < 5; i += 1) d.observe(observation(body, { feature: `f${i}`, at: T0 + i }));
    const held = d.held();
    expect(held.families).toBeLessThanOrEqual(3);
    expect(held.chars).toBeLessThanOrEqual(50_000);
  });
});
