/**
 * Routing savings' baseline (RoutingDecision.baseline, docs/routing.md "Routing savings"): which model a call would
 * have used without routing. The scorer is a stub, so these tests do not depend on the builtin classifier's weights.
 */
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { Call, RouteTarget } from '../../pipeline/call.js';
import { createModelCatalog } from '../../pipeline/model-catalog.js';
import { routingSchema } from '../../spec/config/routing-schema.js';
import { route } from '../route.js';
import type { RoutingRuntime } from './decide.js';
import { compileRouting } from './route-decision.js';

const catalog = createModelCatalog({ providers: [{ name: 'openai', type: 'openai' }, { name: 'anthropic', type: 'anthropic' }] as never, models: [] });
const resolve = (model: string): RouteTarget | null => catalog.resolve(model);

const tiers = [
  { name: 'small', models: ['gpt-4o-mini', 'claude-haiku-4-5'] },
  { name: 'medium', models: ['claude-sonnet-4-5'] },
  { name: 'large', models: ['gpt-4o', 'claude-sonnet-4-5'] },
];
const rules = [
  { match: { feature: 'support' }, tier: 'small' },
  { match: { feature: 'summaries' }, model: 'claude-haiku-4-5' },
  { match: { feature: 'triage' }, auto: true },
];

function makeCall(options: { model: string; feature?: string; headers?: Record<string, string> }): Call {
  const body = { model: options.model, messages: [{ role: 'user', content: 'Hi' }] };
  return {
    requestId: 'r1', dialect: 'openai', endpoint: 'chat', receivedAt: 0, headers: options.headers ?? {}, body,
    rawBody: Buffer.from(JSON.stringify(body)), model: options.model, stream: false, bodyUser: null, credential: null, key: null,
    attribution: { keyId: null, team: null, app: null, feature: options.feature ?? null, user: null, customer: null, session: null, tags: {} },
    target: null, routing: null, bodyOverrides: null, attempts: [], controller: null as never, clientAborted: false,
    response: {} as ServerResponse, marks: { received: 0, upstreamSent: 0, upstreamHeaders: 0 },
  } as Call;
}

/** The route policy over a compiled plan, with a scorer that always answers `score`. */
function routeWith(config: Record<string, unknown>, score = 0.1) {
  const { plan, problems } = compileRouting(routingSchema.parse(config), resolve);
  expect(problems).toEqual([]);
  const runtime: RoutingRuntime = { plan, scorer: { score: () => ({ score, classifierId: 'stub', fallback: null }) }, toCanonical: () => ({ messages: [] }) as never };
  const policy = route({ resolve, describe: () => 'test models', routing: runtime });
  return async (call: Call): Promise<Call> => {
    await policy(call, async () => {});
    return call;
  };
}

const openai = (model: string): RouteTarget => ({ provider: 'openai', upstreamModel: model });
const anthropic = (model: string): RouteTarget => ({ provider: 'anthropic', upstreamModel: model });

describe('the baseline of a call served as routing decided', () => {
  const routed = routeWith({ tiers, rules, auto: { tiers: ['small', 'medium', 'large'], thresholds: [0.5, 0.8] } });

  it('is the model the caller named, for a rule tier, a rule model, a tier header and a rule with automatic routing', async () => {
    const tier = await routed(makeCall({ model: 'gpt-4o', feature: 'support' }));
    expect(tier.target).toEqual(openai('gpt-4o-mini'));
    expect(tier.routing?.baseline).toEqual(openai('gpt-4o'));
    const model = await routed(makeCall({ model: 'claude-sonnet-4-5', feature: 'summaries' }));
    expect(model.target).toEqual(anthropic('claude-haiku-4-5'));
    expect(model.routing).toMatchObject({ tier: null, reason: 'rule:1', baseline: anthropic('claude-sonnet-4-5') });
    const header = await routed(makeCall({ model: 'claude-sonnet-4-5', headers: { 'x-jevons-tier': 'small' } }));
    expect(header.routing).toMatchObject({ reason: 'header', baseline: anthropic('claude-sonnet-4-5') });
    const auto = await routed(makeCall({ model: 'gpt-4o', feature: 'triage' }));
    expect(auto.routing).toMatchObject({ tier: 'small', reason: 'rule:2', baseline: openai('gpt-4o') });
  });

  it('is the first model of the strongest automatic tier for jevons/auto, by default', async () => {
    const call = await routed(makeCall({ model: 'jevons/auto' }));
    expect(call.routing).toMatchObject({ tier: 'small', reason: 'auto', baseline: openai('gpt-4o') });
    // The strongest is the last of auto.tiers, not of the declared tiers.
    const reordered = await routeWith({ tiers, auto: { tiers: ['small', 'medium'] } })(makeCall({ model: 'jevons/auto' }));
    expect(reordered.routing?.baseline).toEqual(anthropic('claude-sonnet-4-5'));
    // A jevons/auto call a rule or a tier header routes has the same baseline.
    const byHeader = await routed(makeCall({ model: 'jevons/auto', headers: { 'x-jevons-tier': 'medium' } }));
    expect(byHeader.routing).toMatchObject({ reason: 'header', baseline: openai('gpt-4o') });
  });

  it('is routing.auto.baseline_model when configured', async () => {
    const call = await routeWith({ tiers, auto: { baseline_model: 'claude-haiku-4-5' } })(makeCall({ model: 'jevons/auto' }));
    expect(call.routing?.baseline).toEqual(anthropic('claude-haiku-4-5'));
  });

  it('is null for a pinned model, in shadow mode, and for a named model that does not resolve', async () => {
    const pinned = await routed(makeCall({ model: 'gpt-4o', headers: { 'x-jevons-tier': 'small', 'x-jevons-model-pin': 'true' } }));
    expect(pinned.routing).toMatchObject({ reason: 'pinned', baseline: null });
    const shadow = routeWith({ tiers, rules, mode: 'shadow' });
    const shadowed = await shadow(makeCall({ model: 'gpt-4o', feature: 'support' }));
    expect(shadowed.routing).toMatchObject({ reason: 'shadow:rule:0', baseline: null });
    // In shadow mode a jevons/auto call is served as decided: it has a baseline like any served decision.
    const auto = await shadow(makeCall({ model: 'jevons/auto' }));
    expect(auto.routing).toMatchObject({ reason: 'auto', shadow: null, baseline: openai('gpt-4o') });
    const unknown = await routed(makeCall({ model: 'no-such-model', feature: 'support' }));
    expect(unknown.target).toEqual(openai('gpt-4o-mini'));
    expect(unknown.routing?.baseline).toBeNull();
  });
});

describe('routing.auto.baseline_model at start', () => {
  it('an unknown model stops the start, naming the key', () => {
    const { problems } = compileRouting(routingSchema.parse({ tiers, auto: { baseline_model: 'no-such-model' } }), resolve);
    expect(problems).toEqual(['routing.auto.baseline_model: unknown model "no-such-model"']);
  });

  it('without automatic tiers there is no default', () => {
    const { plan } = compileRouting(routingSchema.parse({ rules: [{ model: 'gpt-4o-mini' }] }), resolve);
    expect(plan.autoBaseline).toBeNull();
  });
});
