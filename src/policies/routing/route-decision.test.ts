import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { Call, RouteTarget } from '../../pipeline/call.js';
import { createModelCatalog } from '../../pipeline/model-catalog.js';
import { routingSchema } from '../../spec/config/routing-schema.js';
import { GatewayError } from '../../spec/errors.js';
import { openaiChatToCanonical, parseOpenAIChatBody } from '../../server/dialects/openai/openai-request.js';
import { route } from '../route.js';
import { createBuiltinClassifier } from './classifier/index.js';
import { reasoningOverrides } from './reasoning-budget.js';
import { compileRouting, decideIntent, defaultThresholds, tierForScore } from './route-decision.js';
import { createRoutingRuntime } from './routing-runtime.js';
import { httpScorer } from './scorer.js';

const catalog = createModelCatalog({
  providers: [
    { name: 'openai', type: 'openai' },
    { name: 'anthropic', type: 'anthropic' },
  ] as never,
  models: [],
});
const resolve = (model: string): RouteTarget | null => catalog.resolve(model);

const EASY = 'Hi! How are you?';
const HARD = 'A train leaves at 3:15 pm travelling 84 km/h; a second train leaves the same station at 4:05 pm travelling 112 km/h on the same track. At what time and at what distance does the second train catch the first? Then if the track is 420 km long, how far is each train from the end at 7:30 pm? Show every calculation.';

const baseConfig = {
  tiers: [
    { name: 'small', models: ['gpt-4o-mini', 'claude-haiku-4-5'], reasoning: { effort: 'low', max_thinking_tokens: 2048 } },
    { name: 'large', models: ['claude-sonnet-4-5', 'gpt-4o'] },
  ],
  rules: [
    { match: { feature: 'support' }, tier: 'small' },
    { match: { header: { name: 'x-app-mode', value: 'premium' } }, model: 'gpt-4o' },
    { match: { tags: { plan: 'free' } }, auto: true },
  ],
  auto: { thresholds: [0.55] },
};

function makeCall(options: { model?: string; headers?: Record<string, string>; feature?: string; tags?: Record<string, string>; body?: Record<string, unknown>; dialect?: 'openai' | 'anthropic'; text?: string } = {}): Call {
  const model = options.model ?? 'gpt-4o';
  const body = options.body ?? { model, messages: [{ role: 'user', content: options.text ?? EASY }] };
  return {
    requestId: 'r1', dialect: options.dialect ?? 'openai', endpoint: 'chat', receivedAt: 0, headers: options.headers ?? {}, body,
    rawBody: Buffer.from(JSON.stringify(body)), model, stream: false, bodyUser: null, credential: null, key: null,
    attribution: { keyId: null, team: null, app: null, feature: options.feature ?? null, user: null, customer: null, session: null, tags: options.tags ?? {} },
    target: null, routing: null, bodyOverrides: null, attempts: [], controller: null as never, clientAborted: false,
    response: {} as ServerResponse, marks: { received: 0, upstreamSent: 0, upstreamHeaders: 0 },
  } as Call;
}

function policy(config: Record<string, unknown> = baseConfig, extra: { estimateCostFor?: (call: Call, target: RouteTarget) => number | null } = {}) {
  const built = createRoutingRuntime({
    config: routingSchema.parse(config),
    resolve,
    toCanonical: (call) => openaiChatToCanonical(parseOpenAIChatBody(call.body)),
    fetch: () => Promise.reject(new Error('no network in unit tests')),
    ...extra,
  });
  expect(built.problems).toEqual([]);
  return route({ resolve, describe: () => 'test models', routing: built.runtime });
}

async function routed(call: Call, config?: Record<string, unknown>): Promise<Call> {
  await policy(config)(call, async () => {});
  return call;
}

describe('classifier scores used by the routing tests', () => {
  it('land clearly on each side of the 0.55 threshold', () => {
    const classifier = createBuiltinClassifier();
    const score = (text: string) => classifier.score({ messages: [{ role: 'user', content: [{ type: 'text', text }] }] }).score;
    expect(score(EASY)).toBeLessThan(0.5);
    expect(score(HARD)).toBeGreaterThan(0.6);
  });
});

describe('routing precedence', () => {
  it('serves a named model as asked when no rule matches (no decision recorded)', async () => {
    const call = await routed(makeCall({ model: 'gpt-4o' }));
    expect(call.target).toEqual({ provider: 'openai', upstreamModel: 'gpt-4o' });
    expect(call.routing).toBeNull();
  });

  it('a matching rule beats the tier header and the pin header (operators win)', async () => {
    const call = await routed(makeCall({ model: 'gpt-4o', feature: 'support', headers: { 'x-jevons-tier': 'large', 'x-jevons-model-pin': 'true' } }));
    expect(call.routing).toMatchObject({ tier: 'small', reason: 'rule:0', candidates: [{ provider: 'openai', upstreamModel: 'gpt-4o-mini' }, { provider: 'anthropic', upstreamModel: 'claude-haiku-4-5' }] });
    expect(call.target).toEqual({ provider: 'openai', upstreamModel: 'gpt-4o-mini' });
  });

  it('rules match by header and by tags; the first match wins', async () => {
    const byHeader = await routed(makeCall({ model: 'claude-sonnet-4-5', headers: { 'x-app-mode': 'premium' }, tags: { plan: 'free' } }));
    expect(byHeader.routing).toMatchObject({ tier: null, reason: 'rule:1', candidates: [{ provider: 'openai', upstreamModel: 'gpt-4o' }] });
    const byTags = await routed(makeCall({ model: 'gpt-4o', tags: { plan: 'free' }, text: HARD }));
    expect(byTags.routing).toMatchObject({ tier: 'large', reason: 'rule:2' });
    expect(byTags.routing?.score).toBeGreaterThan(0.6);
  });

  it('x-jevons-model-pin serves the named model even with a tier header', async () => {
    const call = await routed(makeCall({ model: 'gpt-4o', headers: { 'x-jevons-tier': 'small', 'x-jevons-model-pin': 'true' } }));
    expect(call.routing).toMatchObject({ tier: null, reason: 'pinned', candidates: [{ provider: 'openai', upstreamModel: 'gpt-4o' }] });
  });

  it('x-jevons-tier picks the tier; an unknown tier is a 400 naming the header', async () => {
    const call = await routed(makeCall({ model: 'gpt-4o', headers: { 'x-jevons-tier': 'large' } }));
    expect(call.routing).toMatchObject({ tier: 'large', reason: 'header', score: null });
    expect(call.target).toEqual({ provider: 'anthropic', upstreamModel: 'claude-sonnet-4-5' });
    const error = await routed(makeCall({ headers: { 'x-jevons-tier': 'huge' } })).catch((thrown: unknown) => thrown);
    expect(GatewayError.isInstance(error) && { code: error.code, status: error.status, param: error.param, message: error.message }).toEqual({
      code: 'invalid_request', status: 400, param: 'x-jevons-tier', message: 'x-jevons-tier: unknown tier "huge" (tiers: "small", "large")',
    });
  });

  it('jevons/auto scores the request: easy -> small, hard -> large', async () => {
    const easy = await routed(makeCall({ model: 'jevons/auto', text: EASY }));
    expect(easy.routing).toMatchObject({ tier: 'small', reason: 'auto', classifierId: expect.stringMatching(/^builtin-complexity-lr-/) });
    const hard = await routed(makeCall({ model: 'jevons/auto', text: HARD }));
    expect(hard.routing).toMatchObject({ tier: 'large', reason: 'auto' });
    expect(hard.target).toEqual({ provider: 'anthropic', upstreamModel: 'claude-sonnet-4-5' });
  });

  it('per-feature thresholds override the global ones', async () => {
    const config = { ...baseConfig, rules: [], auto: { thresholds: [0.55], features: { cheap: { thresholds: [0.99] } } } };
    const call = await routed(makeCall({ model: 'jevons/auto', text: HARD, feature: 'cheap' }), config);
    expect(call.routing?.tier).toBe('small');
  });

  it('an unknown model with no rule is still a 404; pinning jevons/auto is a 400', async () => {
    await expect(routed(makeCall({ model: 'no-such-model' }))).rejects.toMatchObject({ code: 'model_not_found' });
    await expect(routed(makeCall({ model: 'jevons/auto', headers: { 'x-jevons-model-pin': 'true' } }))).rejects.toMatchObject({ code: 'invalid_request', param: 'x-jevons-model-pin' });
  });
});

describe('compiled plan', () => {
  it('names unresolvable tier and rule models by path', () => {
    const config = routingSchema.parse({ tiers: [{ name: 't', models: ['gpt-4o', 'mystery'] }], rules: [{ tier: 't' }, { model: 'nope' }] });
    expect(compileRouting(config, resolve).problems).toEqual(['routing.tiers[0].models[1]: unknown model "mystery"', 'routing.rules[1].model: unknown model "nope"']);
  });

  it('maps scores to tiers at the thresholds; default thresholds are evenly spaced', () => {
    const { plan } = compileRouting(routingSchema.parse({ tiers: [{ name: 'a', models: ['gpt-4o'] }, { name: 'b', models: ['gpt-4o'] }, { name: 'c', models: ['gpt-4o'] }] }), resolve);
    expect(defaultThresholds(3)).toEqual([1 / 3, 2 / 3]);
    expect([0, 0.33, 1 / 3, 0.5, 0.7, 1].map((score) => tierForScore(plan, score, plan.thresholds))).toEqual(['a', 'a', 'b', 'b', 'c', 'c']);
  });

  it('fills escalation tiers only for cascaded calls, capped by max_escalations', async () => {
    const config = { ...baseConfig, rules: [], cascade: { validators: [{ type: 'not_empty' }], max_escalations: 1, match: { feature: 'qa' } } };
    const cascaded = await routed(makeCall({ model: 'jevons/auto', feature: 'qa' }), config);
    expect(cascaded.routing?.escalation).toEqual([{ tier: 'large', candidates: [{ provider: 'anthropic', upstreamModel: 'claude-sonnet-4-5' }, { provider: 'openai', upstreamModel: 'gpt-4o' }] }]);
    const plain = await routed(makeCall({ model: 'jevons/auto' }), config);
    expect(plain.routing?.escalation).toEqual([]);
  });

  it('decideIntent returns null for a plain model name (zero routing work)', () => {
    const { plan } = compileRouting(routingSchema.parse(baseConfig), resolve);
    expect(decideIntent(plan, { model: 'gpt-4o', headers: {}, attribution: makeCall().attribution, keyName: null })).toBeNull();
  });
});

describe('shadow mode', () => {
  it('serves as asked, rewrites nothing, records the would-be tier, model and cost', async () => {
    const estimates: Array<[string, string]> = [];
    const shadow = policy({ ...baseConfig, mode: 'shadow' }, { estimateCostFor: (_call, target) => (estimates.push([target.provider, target.upstreamModel]), 0.00042) });
    const call = makeCall({ model: 'gpt-4o', feature: 'support', body: { model: 'gpt-4o', reasoning_effort: 'high', messages: [{ role: 'user', content: EASY }] } });
    await shadow(call, async () => {});
    expect(call.target).toEqual({ provider: 'openai', upstreamModel: 'gpt-4o' });
    expect(call.bodyOverrides).toBeNull();
    expect(call.routing).toEqual({
      tier: null, reason: 'shadow:rule:0', score: null, classifierId: null, candidates: [{ provider: 'openai', upstreamModel: 'gpt-4o' }], escalation: [],
      shadow: { tier: 'small', target: { provider: 'openai', upstreamModel: 'gpt-4o-mini' }, estimatedCostUsd: 0.00042 },
      baseline: null,
    });
    expect(estimates).toEqual([['openai', 'gpt-4o-mini']]);
  });
});

describe('reasoning budgets', () => {
  const budget = { effort: 'low', max_thinking_tokens: 2048, enable_thinking: false, budget_instruction: false } as const;

  it('OpenAI: lowers reasoning_effort, sets it when absent, never raises it', () => {
    expect(reasoningOverrides({ dialect: 'openai', body: { reasoning_effort: 'high' }, existing: null, budget })).toEqual({ reasoning_effort: 'low' });
    expect(reasoningOverrides({ dialect: 'openai', body: {}, existing: { max_tokens: 10 }, budget })).toEqual({ max_tokens: 10, reasoning_effort: 'low' });
    expect(reasoningOverrides({ dialect: 'openai', body: { reasoning_effort: 'minimal' }, existing: null, budget })).toBeNull();
    expect(reasoningOverrides({ dialect: 'openai', body: {}, existing: null, budget: { ...budget, effort: undefined } })).toBeNull();
  });

  it('Anthropic: caps budget_tokens, never below 1,024; 0 turns thinking off; enables only when asked to', () => {
    const thinking = (tokens: number) => ({ max_tokens: 32000, thinking: { type: 'enabled', budget_tokens: tokens } });
    expect(reasoningOverrides({ dialect: 'anthropic', body: thinking(16000), existing: null, budget })).toEqual({ thinking: { type: 'enabled', budget_tokens: 2048 } });
    expect(reasoningOverrides({ dialect: 'anthropic', body: thinking(16000), existing: null, budget: { ...budget, max_thinking_tokens: 500 } })).toEqual({ thinking: { type: 'enabled', budget_tokens: 1024 } });
    expect(reasoningOverrides({ dialect: 'anthropic', body: thinking(16000), existing: null, budget: { ...budget, max_thinking_tokens: 0 } })).toEqual({ thinking: { type: 'disabled' } });
    expect(reasoningOverrides({ dialect: 'anthropic', body: thinking(1500), existing: null, budget })).toBeNull();
    expect(reasoningOverrides({ dialect: 'anthropic', body: { max_tokens: 8000 }, existing: null, budget })).toBeNull();
    expect(reasoningOverrides({ dialect: 'anthropic', body: { max_tokens: 8000 }, existing: null, budget: { ...budget, enable_thinking: true, max_thinking_tokens: 4000 } })).toEqual({ thinking: { type: 'enabled', budget_tokens: 4000 } });
    expect(reasoningOverrides({ dialect: 'anthropic', body: { max_tokens: 3000 }, existing: null, budget: { ...budget, enable_thinking: true, max_thinking_tokens: 4000 } })).toEqual({ thinking: { type: 'enabled', budget_tokens: 2999 } });
    expect(reasoningOverrides({ dialect: 'anthropic', body: { thinking: { type: 'adaptive' }, output_config: { effort: 'max' } }, existing: null, budget })).toEqual({ output_config: { effort: 'low' } });
  });

  it('adds the TALE budget instruction only when enabled and the call reasons', () => {
    const tale = { ...budget, budget_instruction: true };
    expect(reasoningOverrides({ dialect: 'openai', body: { reasoning_effort: 'high', messages: [{ role: 'user', content: 'q' }] }, existing: null, budget: tale })).toEqual({
      reasoning_effort: 'low',
      messages: [{ role: 'system', content: "Let's think step by step and use less than 2048 tokens." }, { role: 'user', content: 'q' }],
    });
    expect(reasoningOverrides({ dialect: 'anthropic', body: { system: 'Be brief.', max_tokens: 9000, thinking: { type: 'enabled', budget_tokens: 8000 } }, existing: null, budget: tale })).toEqual({
      thinking: { type: 'enabled', budget_tokens: 2048 },
      system: "Be brief.\n\nLet's think step by step and use less than 2048 tokens.",
    });
    expect(reasoningOverrides({ dialect: 'anthropic', body: { max_tokens: 9000 }, existing: null, budget: tale })).toBeNull();
  });

  it('a routed tier applies its budget to the call', async () => {
    const call = await routed(makeCall({ model: 'gpt-4o', feature: 'support', body: { model: 'gpt-4o', reasoning_effort: 'high', messages: [{ role: 'user', content: EASY }] } }));
    expect(call.bodyOverrides).toEqual({ reasoning_effort: 'low' });
  });
});

describe('HTTP scorer', () => {
  const request = () => openaiChatToCanonical(parseOpenAIChatBody({ model: 'm', messages: [{ role: 'user', content: EASY }] }));
  it('uses the answered score', async () => {
    const scorer = httpScorer({ url: 'http://scorer.test/score', timeoutMs: 50, fetch: async () => ({ ok: true, status: 200, json: async () => ({ score: 0.9 }) }) });
    expect(await scorer.score({ request, rawBody: Buffer.from('{}') })).toEqual({ score: 0.9, classifierId: 'http:http://scorer.test/score', fallback: null });
  });

  it('falls back to the builtin classifier on a timeout, a bad status or a bad answer, and says so', async () => {
    const hang = httpScorer({ url: 'http://scorer.test/', timeoutMs: 20, fetch: (_url, init) => new Promise((_resolve, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason as Error))) });
    expect(await hang.score({ request, rawBody: Buffer.from('{}') })).toMatchObject({ classifierId: expect.stringMatching(/^builtin-/), fallback: 'http scorer timed out after 20 ms' });
    const failing = httpScorer({ url: 'http://scorer.test/', timeoutMs: 20, fetch: async () => ({ ok: false, status: 503, json: async () => ({}) }) });
    expect((await failing.score({ request, rawBody: Buffer.from('{}') })).fallback).toBe('http scorer answered 503');
    const wrong = httpScorer({ url: 'http://scorer.test/', timeoutMs: 20, fetch: async () => ({ ok: true, status: 200, json: async () => ({ score: 7 }) }) });
    expect((await wrong.score({ request, rawBody: Buffer.from('{}') })).fallback).toBe('http scorer answered no score in 0..1');
  });
});
