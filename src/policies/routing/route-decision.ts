/**
 * The routing decision, as pure functions: which tier, model or automatic routing a call asks for (precedence below),
 * and which tier a classifier score selects. No I/O; the route policy (src/policies/route.ts) runs the classifier
 * and applies the result. docs/routing.md documents the precedence and every ledger column.
 *
 * Precedence (first that applies wins):
 *   1. the first `routing.rules[]` entry whose match fits the call -> its tier, model or automatic routing
 *      (operators win over callers: a rule also overrides `x-jevons-tier` and `x-jevons-model-pin`);
 *   2. `x-jevons-model-pin: true` -> the requested model, as asked;
 *   3. `x-jevons-tier: <tier>` -> that tier (an unknown tier is a 400 naming the header);
 *   4. the model alias `jevons/auto` -> automatic routing;
 *   5. otherwise the requested model, as asked (pinned).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { RouteTarget } from '../../pipeline/call.js';
import type { RoutingConfig, RoutingMatch, TierConfig } from '../../spec/config/routing-schema.js';
import { GatewayError } from '../../spec/errors.js';
import type { Attribution } from '../../spec/ledger.js';

/** The model alias that asks for automatic routing. */
export const AUTO_MODEL = 'jevons/auto';
export const TIER_HEADER = 'x-jevons-tier';
export const PIN_HEADER = 'x-jevons-model-pin';

export interface CompiledTier {
  name: string;
  /** Ordered candidates, each resolved through the model catalog; [0] serves, the rest are fallbacks. */
  candidates: RouteTarget[];
  /** The candidates' public names, in the same order (for messages). */
  models: readonly string[];
  reasoning: TierConfig['reasoning'];
}

export interface CompiledRule {
  index: number;
  match: RoutingMatch;
  tier?: string;
  model?: { name: string; target: RouteTarget };
  auto?: true;
}

/** The routing config with every name resolved once, at start. */
export interface RoutingPlan {
  tiers: ReadonlyMap<string, CompiledTier>;
  rules: readonly CompiledRule[];
  /** Automatic routing: tiers cheapest first, and the score threshold of each boundary (length tiers - 1). */
  autoTiers: readonly string[];
  thresholds: readonly number[];
  featureThresholds: ReadonlyMap<string, readonly number[]>;
  /**
   * Routing savings' baseline for a `jevons/auto` call (it names no model): `routing.auto.baseline_model`, else the
   * first model of the last automatic tier (the strongest: `auto.tiers` lists tiers cheapest first); null when
   * there is no automatic tier.
   */
  autoBaseline: RouteTarget | null;
  mode: RoutingConfig['mode'];
  /** Cascades: on when validators are configured; only calls matching `match` (when given) are cascaded. */
  cascade: { enabled: boolean; match: RoutingMatch | undefined; maxEscalations: number };
}

/** What the call asks for, before any classifier runs. `null` = pinned by its model name alone (no decision). */
export type RoutingIntent =
  | { kind: 'pinned'; reason: 'pinned' }
  | { kind: 'tier'; tier: string; reason: string }
  | { kind: 'model'; model: string; target: RouteTarget; reason: string }
  | { kind: 'auto'; reason: string };

/** Evenly spaced thresholds for n tiers: [0.5] for two, [1/3, 2/3] for three. */
export function defaultThresholds(tierCount: number): number[] {
  return Array.from({ length: Math.max(0, tierCount - 1) }, (_, index) => (index + 1) / tierCount);
}

/**
 * Resolves every tier's models and every rule's model with `resolve` (the model catalog). Unresolvable names are
 * returned as problems naming their config path, so the gateway refuses to start rather than fail per request.
 */
export function compileRouting(config: RoutingConfig, resolve: (model: string) => RouteTarget | null): { plan: RoutingPlan; problems: string[] } {
  const problems: string[] = [];
  const tiers = new Map<string, CompiledTier>();
  config.tiers.forEach((tier, index) => {
    const candidates: RouteTarget[] = [];
    tier.models.forEach((model, position) => {
      const target = resolve(model);
      if (target === null) problems.push(`routing.tiers[${index}].models[${position}]: unknown model "${model}"`);
      else candidates.push(target);
    });
    tiers.set(tier.name, { name: tier.name, candidates, models: tier.models, reasoning: tier.reasoning });
  });
  const rules: CompiledRule[] = config.rules.map((rule, index) => {
    if (rule.tier !== undefined) return { index, match: rule.match, tier: rule.tier };
    if (rule.model !== undefined) {
      const target = resolve(rule.model);
      if (target === null) problems.push(`routing.rules[${index}].model: unknown model "${rule.model}"`);
      return { index, match: rule.match, model: { name: rule.model, target: target ?? { provider: '', upstreamModel: rule.model } } };
    }
    return { index, match: rule.match, auto: true };
  });
  const autoTiers = config.auto.tiers ?? config.tiers.map((tier) => tier.name);
  const featureThresholds = new Map(Object.entries(config.auto.features).map(([feature, value]) => [feature, value.thresholds] as const));
  let autoBaseline: RouteTarget | null = null;
  if (config.auto.baseline_model !== undefined) {
    autoBaseline = resolve(config.auto.baseline_model);
    if (autoBaseline === null) problems.push(`routing.auto.baseline_model: unknown model "${config.auto.baseline_model}"`);
  } else {
    const strongest = autoTiers.at(-1);
    autoBaseline = (strongest === undefined ? undefined : tiers.get(strongest)?.candidates[0]) ?? null;
  }
  return {
    plan: {
      tiers,
      rules,
      autoTiers,
      thresholds: config.auto.thresholds ?? defaultThresholds(autoTiers.length),
      featureThresholds,
      autoBaseline,
      mode: config.mode,
      cascade: { enabled: config.cascade.validators.length > 0, match: config.cascade.match, maxEscalations: config.cascade.max_escalations },
    },
    problems,
  };
}

const headerValue = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export interface MatchSubject {
  model: string;
  headers: IncomingHttpHeaders;
  attribution: Attribution;
  /** The virtual key's name and id (a rule's `key` matches either). */
  keyName: string | null;
}

/** Every field the match gives must hold; an empty match holds for every call. */
export function matches(match: RoutingMatch, subject: MatchSubject): boolean {
  if (match.feature !== undefined && match.feature !== subject.attribution.feature) return false;
  if (match.team !== undefined && match.team !== subject.attribution.team) return false;
  if (match.model !== undefined && match.model !== subject.model) return false;
  if (match.key !== undefined && match.key !== subject.keyName && match.key !== subject.attribution.keyId) return false;
  if (match.header !== undefined && headerValue(subject.headers, match.header.name.toLowerCase()) !== match.header.value) return false;
  if (match.tags !== undefined) {
    for (const [name, value] of Object.entries(match.tags)) if (subject.attribution.tags[name] !== value) return false;
  }
  return true;
}

/** What the call asks for (precedence in the file comment); null = pinned by its model name, no decision recorded. */
export function decideIntent(plan: RoutingPlan, subject: MatchSubject): RoutingIntent | null {
  for (const rule of plan.rules) {
    if (!matches(rule.match, subject)) continue;
    const reason = `rule:${rule.index}`;
    if (rule.tier !== undefined) return { kind: 'tier', tier: rule.tier, reason };
    if (rule.model !== undefined) return { kind: 'model', model: rule.model.name, target: rule.model.target, reason };
    return { kind: 'auto', reason };
  }
  const pin = headerValue(subject.headers, PIN_HEADER);
  if (pin !== undefined && pin.toLowerCase() === 'true') {
    if (subject.model === AUTO_MODEL) {
      throw new GatewayError({ code: 'invalid_request', param: PIN_HEADER, message: `${PIN_HEADER}: "${AUTO_MODEL}" is not a model that can be pinned; name a model or drop the header.` });
    }
    return { kind: 'pinned', reason: 'pinned' };
  }
  const tier = headerValue(subject.headers, TIER_HEADER);
  if (tier !== undefined && tier !== '') {
    if (!plan.tiers.has(tier)) {
      const known = [...plan.tiers.keys()].map((name) => `"${name}"`).join(', ') || 'none configured';
      throw new GatewayError({ code: 'invalid_request', param: TIER_HEADER, message: `${TIER_HEADER}: unknown tier "${tier}" (tiers: ${known})` });
    }
    return { kind: 'tier', tier, reason: 'header' };
  }
  if (subject.model === AUTO_MODEL) return { kind: 'auto', reason: 'auto' };
  return null;
}

/** The thresholds automatic routing uses for a feature: its own when configured, else the global ones. */
export function thresholdsFor(plan: RoutingPlan, feature: string | null): readonly number[] {
  return (feature === null ? undefined : plan.featureThresholds.get(feature)) ?? plan.thresholds;
}

/** The tier a score selects: the first tier whose upper threshold the score is below; the last tier otherwise. */
export function tierForScore(plan: RoutingPlan, score: number, thresholds: readonly number[]): string {
  let index = 0;
  while (index < thresholds.length && score >= (thresholds[index] ?? Infinity)) index += 1;
  return plan.autoTiers[Math.min(index, plan.autoTiers.length - 1)] ?? '';
}

/** The tiers above `tier` in automatic-routing order, cheapest first: where a cascade escalates. */
export function tiersAbove(plan: RoutingPlan, tier: string): CompiledTier[] {
  const position = plan.autoTiers.indexOf(tier);
  if (position < 0) return [];
  return plan.autoTiers.slice(position + 1).flatMap((name) => {
    const found = plan.tiers.get(name);
    return found === undefined ? [] : [found];
  });
}
