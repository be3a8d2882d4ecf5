/**
 * Turns a call into its RoutingDecision (pipeline/call.ts): intent (route-decision.ts) -> tier / model / automatic
 * routing -> candidates, escalation tiers, reasoning overrides, the baseline routing savings are measured against
 * (the model the call would have used without routing), and in shadow mode the would-be target and its cost.
 * The only work on a call that asks for no routing is the rule scan; the body is parsed to the canonical model only
 * when automatic routing runs.
 */
import type { Call, RouteTarget, RoutingDecision } from '../../pipeline/call.js';
import type { ChatRequest } from '../../spec/canonical.js';
import { GatewayError } from '../../spec/errors.js';
import { reasoningOverrides } from './reasoning-budget.js';
import { AUTO_MODEL, decideIntent, matches, thresholdsFor, tierForScore, tiersAbove, type CompiledTier, type MatchSubject, type RoutingIntent, type RoutingPlan } from './route-decision.js';
import type { Scorer } from './scorer.js';

export interface RoutingRuntime {
  plan: RoutingPlan;
  scorer: Scorer;
  /** The caller's body as the canonical request (the dialect codec; injected: policies cannot import server/). */
  toCanonical: (call: Call) => ChatRequest;
  /**
   * Shadow mode: the pre-flight estimate of serving `call` with `target` (its estimated input tokens at the target's
   * input price; null when unpriced). The meter replaces it with the attempt's actual usage priced at the target
   * (policies/meter.ts shadowCostOf) wherever that usage is known; it stays on rows whose attempt got no answer.
   */
  estimateCostFor?: (call: Call, target: RouteTarget) => number | null;
}

/** What a decision serves: the tier (null for a model), its candidates, and the decision fields for the ledger. */
interface Resolved {
  tier: CompiledTier | null;
  decision: RoutingDecision;
}

const subjectOf = (call: Call): MatchSubject => ({ model: call.model, headers: call.headers, attribution: call.attribution, keyName: call.key?.name ?? null });

function unknownModel(call: Call, describe: () => string): GatewayError {
  return new GatewayError({ code: 'model_not_found', param: 'model', message: `The model "${call.model}" is not available through this gateway. Available: ${describe()}.` });
}

function tierDecision(runtime: RoutingRuntime, call: Call, tier: CompiledTier, fields: Pick<RoutingDecision, 'reason' | 'score' | 'classifierId'>): Resolved {
  const cascade = runtime.plan.cascade;
  const cascaded = cascade.enabled && (cascade.match === undefined || matches(cascade.match, subjectOf(call)));
  const escalation = cascaded ? tiersAbove(runtime.plan, tier.name).slice(0, cascade.maxEscalations).map((above) => ({ tier: above.name, candidates: above.candidates })) : [];
  // Copies: a decision belongs to its call (the dispatcher may reorder candidates), the plan is shared.
  return { tier, decision: { tier: tier.name, ...fields, candidates: tier.candidates.slice(), escalation, shadow: null, baseline: null } };
}

async function resolveIntent(runtime: RoutingRuntime, call: Call, intent: RoutingIntent, resolve: (model: string) => RouteTarget | null, describe: () => string): Promise<Resolved> {
  const plan = runtime.plan;
  const none = { score: null, classifierId: null };
  switch (intent.kind) {
    case 'pinned': {
      const target = resolve(call.model);
      if (target === null) throw unknownModel(call, describe);
      return { tier: null, decision: { tier: null, reason: intent.reason, ...none, candidates: [target], escalation: [], shadow: null, baseline: null } };
    }
    case 'model':
      return { tier: null, decision: { tier: null, reason: intent.reason, ...none, candidates: [intent.target], escalation: [], shadow: null, baseline: null } };
    case 'tier': {
      const tier = plan.tiers.get(intent.tier);
      if (tier === undefined) throw new GatewayError({ code: 'internal', message: `routing: tier "${intent.tier}" is not configured` });
      return tierDecision(runtime, call, tier, { reason: intent.reason, ...none });
    }
    case 'auto': {
      const scored = await runtime.scorer.score({ request: () => runtime.toCanonical(call), rawBody: call.rawBody });
      const name = tierForScore(plan, scored.score, thresholdsFor(plan, call.attribution.feature));
      const tier = plan.tiers.get(name);
      if (tier === undefined) throw new GatewayError({ code: 'internal', message: `routing: automatic tier "${name}" is not configured` });
      const reason = scored.fallback === null ? intent.reason : `${intent.reason} (${scored.fallback}: builtin)`;
      return tierDecision(runtime, call, tier, { reason, score: scored.score, classifierId: scored.classifierId });
    }
  }
}

/**
 * What a call served as decided would have been served by without routing (RoutingDecision.baseline): nothing for a
 * pinned model (served as asked), the automatic baseline for `jevons/auto`, else the model the caller named (null
 * when that name does not resolve: without routing the call would have been refused).
 */
function baselineOf(plan: RoutingPlan, call: Call, intent: RoutingIntent, resolve: (model: string) => RouteTarget | null): RouteTarget | null {
  if (intent.kind === 'pinned') return null;
  return call.model === AUTO_MODEL ? plan.autoBaseline : resolve(call.model);
}

/**
 * Decides and applies the route of one call: sets call.target, call.routing and (for a tier with a reasoning budget,
 * in serve mode) call.bodyOverrides. Returns false when the call asks for no routing (the caller routes it by name).
 */
export async function applyRouting(options: { runtime: RoutingRuntime; call: Call; resolve: (model: string) => RouteTarget | null; describe: () => string }): Promise<boolean> {
  const { runtime, call } = options;
  const intent = decideIntent(runtime.plan, subjectOf(call));
  if (intent === null) return false;
  const { tier, decision } = await resolveIntent(runtime, call, intent, options.resolve, options.describe);
  const wouldServe = decision.candidates[0];
  if (wouldServe === undefined) throw new GatewayError({ code: 'internal', message: `routing: tier "${decision.tier ?? ''}" has no candidate model` });
  if (runtime.plan.mode === 'shadow' && intent.kind !== 'pinned') {
    // Served exactly as asked, nothing rewritten; a call that cannot be (jevons/auto names no model) is served as decided.
    const asked = options.resolve(call.model);
    if (asked !== null) {
      call.target = asked;
      call.routing = {
        tier: null,
        reason: `shadow:${decision.reason}`,
        score: decision.score,
        classifierId: decision.classifierId,
        candidates: [asked],
        escalation: [],
        shadow: { tier: decision.tier, target: wouldServe, estimatedCostUsd: runtime.estimateCostFor?.(call, wouldServe) ?? null },
        baseline: null,
      };
      return true;
    }
  }
  call.target = wouldServe;
  decision.baseline = baselineOf(runtime.plan, call, intent, options.resolve);
  call.routing = decision;
  const budget = tier?.reasoning;
  if (budget !== undefined) {
    const overrides = reasoningOverrides({ dialect: call.dialect, body: call.body, existing: call.bodyOverrides, budget });
    if (overrides !== null) call.bodyOverrides = overrides;
  }
  return true;
}
