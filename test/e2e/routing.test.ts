/**
 * Routing end to end (docs/routing.md) with the real SDK clients: rules, x-jevons-tier, jevons/auto with the builtin
 * classifier, tiers across providers (an OpenAI client served by Claude through translation), reasoning caps in
 * both dialects, shadow mode, and the routing columns of the ledger.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';

/** Builtin classifier scores: < 0.5 and > 0.6 (asserted in src/policies/routing/route-decision.test.ts). */
const EASY = 'Hi! How are you?';
const HARD = 'A train leaves at 3:15 pm travelling 84 km/h; a second train leaves the same station at 4:05 pm travelling 112 km/h on the same track. At what time and at what distance does the second train catch the first? Then if the track is 420 km long, how far is each train from the end at 7:30 pm? Show every calculation.';

const routing = {
  tiers: [
    { name: 'small', models: ['gpt-4o-mini', 'claude-haiku-4-5'], reasoning: { effort: 'low' } },
    { name: 'large', models: ['claude-sonnet-4-5', 'gpt-4o'], reasoning: { max_thinking_tokens: 2048 } },
  ],
  rules: [{ match: { feature: 'support' }, tier: 'small' }],
  auto: { thresholds: [0.55] },
};

let stack: Stack;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  stack = await startStack({ config: { routing } });
  openai = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: 'unused', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: stack.anthropicBaseUrl, apiKey: 'unused', maxRetries: 0 });
});
afterAll(() => stack.close());

const lastUpstream = () => {
  const request = stack.emulator.requests.at(-1);
  return { path: request?.path ?? '', body: (request?.body ?? {}) as Record<string, unknown> };
};

describe('automatic routing (jevons/auto)', () => {
  it('sends an easy prompt to the small tier', async () => {
    const { data, response } = await openai.chat.completions.create({ model: 'jevons/auto', messages: [{ role: 'user', content: EASY }] }).withResponse();
    expect(data.choices[0]?.message.role).toBe('assistant');
    expect(lastUpstream()).toMatchObject({ path: '/v1/chat/completions', body: { model: 'gpt-4o-mini' } });
    const [row] = await stack.rowsOf(response.headers.get('x-jevons-request-id') ?? '');
    expect(row).toMatchObject({
      requestedModel: 'jevons/auto', provider: 'openai', routeTier: 'small', routeReason: 'auto',
      routeClassifier: expect.stringMatching(/^builtin-complexity-lr-/),
      routeCandidates: [{ provider: 'openai', model: 'gpt-4o-mini' }, { provider: 'anthropic', model: 'claude-haiku-4-5' }],
      shadowTier: null, shadowModel: null, shadowCostUsd: null, followsReason: null,
    });
    expect(row?.routeScore).toBeLessThan(0.55);
  });

  it('sends a hard prompt to the large tier: an OpenAI client served by Claude, translated both ways', async () => {
    const { data, response } = await openai.chat.completions.create({ model: 'jevons/auto', messages: [{ role: 'user', content: HARD }] }).withResponse();
    expect(data.object).toBe('chat.completion');
    expect(typeof data.choices[0]?.message.content).toBe('string');
    expect(lastUpstream()).toMatchObject({ path: '/v1/messages', body: { model: 'claude-sonnet-4-5' } });
    const [row] = await stack.rowsOf(response.headers.get('x-jevons-request-id') ?? '');
    expect(row).toMatchObject({ provider: 'anthropic', routeTier: 'large', routeReason: 'auto', status: 200 });
    expect(row?.routeScore).toBeGreaterThan(0.6);
    expect(row?.routeCandidates).toEqual([{ provider: 'anthropic', model: 'claude-sonnet-4-5' }, { provider: 'openai', model: 'gpt-4o' }]);
    expect(row?.costTotalUsd).toBeGreaterThan(0);
  });
});

describe('rules, tier header and pinned models', () => {
  it('serves a named model as asked, with no decision on the row', async () => {
    const { response } = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: EASY }] }).withResponse();
    expect(lastUpstream().body.model).toBe('gpt-4o');
    const [row] = await stack.rowsOf(response.headers.get('x-jevons-request-id') ?? '');
    expect(row).toMatchObject({ routeTier: null, routeReason: null, routeCandidates: null });
  });

  it('x-jevons-tier picks a tier; a rule wins over it', async () => {
    await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: EASY }] }, { headers: { 'x-jevons-tier': 'large' } });
    expect(lastUpstream()).toMatchObject({ path: '/v1/messages', body: { model: 'claude-sonnet-4-5' } });
    const row = await stack.lastRow();
    expect(row).toMatchObject({ routeTier: 'large', routeReason: 'header' });
    await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: EASY }] }, { headers: { 'x-jevons-tier': 'large', 'x-jevons-feature': 'support' } });
    expect(lastUpstream().body.model).toBe('gpt-4o-mini');
    expect(await stack.lastRow()).toMatchObject({ routeTier: 'small', routeReason: 'rule:0' });
  });

  it('x-jevons-model-pin serves the named model despite a tier header', async () => {
    await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: EASY }] }, { headers: { 'x-jevons-tier': 'large', 'x-jevons-model-pin': 'true' } });
    expect(lastUpstream().body.model).toBe('gpt-4o');
    expect(await stack.lastRow()).toMatchObject({ routeTier: null, routeReason: 'pinned', routeCandidates: [{ provider: 'openai', model: 'gpt-4o' }] });
  });

  it('an unknown tier is a 400 that names the header', async () => {
    const error = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: EASY }] }, { headers: { 'x-jevons-tier': 'huge' } }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toContain('x-jevons-tier: unknown tier "huge" (tiers: "small", "large")');
  });
});

describe('reasoning budgets per tier', () => {
  it('OpenAI dialect: the small tier lowers reasoning_effort', async () => {
    await openai.chat.completions.create({ model: 'gpt-4o', reasoning_effort: 'high', messages: [{ role: 'user', content: EASY }] }, { headers: { 'x-jevons-tier': 'small' } });
    expect(lastUpstream().body).toMatchObject({ model: 'gpt-4o-mini', reasoning_effort: 'low' });
  });

  it('Anthropic dialect: the large tier caps thinking.budget_tokens', async () => {
    const message = await anthropic.messages.create(
      { model: 'claude-sonnet-4-5', max_tokens: 20000, thinking: { type: 'enabled', budget_tokens: 16000 }, messages: [{ role: 'user', content: EASY }] },
      { headers: { 'x-jevons-tier': 'large' } },
    );
    expect(message.type).toBe('message');
    expect(lastUpstream().body).toMatchObject({ model: 'claude-sonnet-4-5', thinking: { type: 'enabled', budget_tokens: 2048 } });
  });

  it('Anthropic dialect routed to an OpenAI model: the cap reaches it through translation', async () => {
    await anthropic.messages.create(
      { model: 'claude-sonnet-4-5', max_tokens: 20000, thinking: { type: 'enabled', budget_tokens: 16000 }, messages: [{ role: 'user', content: EASY }] },
      { headers: { 'x-jevons-tier': 'small' } },
    );
    // small caps effort at low: 16,000 thinking tokens become the low band's 2,048, i.e. reasoning_effort low.
    expect(lastUpstream()).toMatchObject({ path: '/v1/chat/completions', body: { model: 'gpt-4o-mini', reasoning_effort: 'low' } });
  });
});

describe('shadow mode', () => {
  let shadow: Stack;
  let plain: Stack;
  beforeAll(async () => {
    shadow = await startStack({ config: { routing: { ...routing, mode: 'shadow' } } });
    plain = await startStack();
  });
  afterAll(async () => {
    await shadow.close();
    await plain.close();
  });

  /** A raw Anthropic-dialect call (no timestamp in the body, ids numbered per emulator): bytes comparable across stacks. */
  const send = async (target: Stack, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const response = await fetch(`${target.anthropicBaseUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'unused', ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()), requestId: response.headers.get('x-jevons-request-id') ?? '' };
  };

  it('serves byte-identical responses and records the would-be model and its cost', async () => {
    const body = { model: 'claude-sonnet-4-5', max_tokens: 20000, thinking: { type: 'enabled', budget_tokens: 16000 }, messages: [{ role: 'user', content: EASY }] };
    const headers = { 'x-jevons-feature': 'support' };
    const off = await send(plain, body, headers);
    const on = await send(shadow, body, headers);
    expect(on.status).toBe(200);
    expect(on.bytes.equals(off.bytes)).toBe(true);
    // Nothing rewritten upstream either: the caller's model and thinking budget went out unchanged.
    expect(shadow.emulator.requests.at(-1)?.body).toEqual(plain.emulator.requests.at(-1)?.body);
    const [row] = await shadow.rowsOf(on.requestId);
    expect(row).toMatchObject({
      provider: 'anthropic', requestedModel: 'claude-sonnet-4-5', routeTier: null, routeReason: 'shadow:rule:0',
      routeCandidates: [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }], shadowTier: 'small', shadowProvider: 'openai', shadowModel: 'gpt-4o-mini',
    });
    // The usage as served (the answer's input and output tokens) at gpt-4o-mini's $0.15 / $0.60 per Mtok: comparable
    // with cost_total_usd, which prices the same tokens at claude-sonnet-4-5.
    expect(row?.outputTokens).toBeGreaterThan(0);
    expect(row?.shadowCostUsd).toBeCloseTo(((row?.inputTokens ?? 0) * 0.15 + (row?.outputTokens ?? 0) * 0.6) / 1e6, 12);
    expect(row?.costTotalUsd).toBeGreaterThan(row?.shadowCostUsd ?? Infinity);
  });

  it('a shadowed attempt that got no answer keeps the pre-flight estimate; the one that answered is priced on its usage', async () => {
    const emu = (directive: Record<string, unknown>) => `[[emu:${JSON.stringify(directive)}]]`;
    const body = { model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user', content: `${EASY} ${emu({ reply: 'after a reset', reset: true, fail_times: 1, usage: { input: 2_000, output: 300 } })}` }] };
    const on = await send(shadow, body, { 'x-jevons-feature': 'support' });
    expect(on.status).toBe(200);
    const rows = await shadow.rowsOf(on.requestId);
    expect(rows.map((row) => [row.attempt, row.errorCode, row.inputTokens, row.outputTokens])).toEqual([
      [1, 'upstream_unreachable', 0, 0],
      [2, null, 2_000, 300],
    ]);
    // Attempt 1: the estimated input tokens at gpt-4o-mini's input price (well under 2,000 tokens' worth).
    expect(rows[0]?.shadowCostUsd).toBeGreaterThan(0);
    expect(rows[0]?.shadowCostUsd).toBeLessThan((200 * 0.15) / 1e6);
    expect(rows[0]?.costTotalUsd).toBeNull();
    // Attempt 2: 2,000 input and 300 output tokens at gpt-4o-mini.
    expect(rows[1]?.shadowCostUsd).toBeCloseTo((2_000 * 0.15 + 300 * 0.6) / 1e6, 12);
  });

  it('a jevons/auto call has no model to serve as asked: it is served as decided', async () => {
    const on = await send(shadow, { model: 'jevons/auto', max_tokens: 100, messages: [{ role: 'user', content: EASY }] });
    expect(on.status).toBe(200);
    const [row] = await shadow.rowsOf(on.requestId);
    expect(row).toMatchObject({ routeTier: 'small', routeReason: 'auto', shadowTier: null, provider: 'openai' });
  });
});
