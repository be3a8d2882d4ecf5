/**
 * Builds the routing runtime the route policy uses, from `routing:` in jevons.yaml and what the composition root
 * injects (the model catalog, the dialect codec, fetch for an HTTP scorer, the cost estimate for shadow mode).
 */
import type { Call, RouteTarget } from '../../pipeline/call.js';
import type { ChatRequest } from '../../spec/canonical.js';
import type { RoutingConfig } from '../../spec/config/routing-schema.js';
import type { RoutingRuntime } from './decide.js';
import { compileRouting } from './route-decision.js';
import { builtinScorer, httpScorer, type HttpScorerOptions } from './scorer.js';

export interface RoutingRuntimeOptions {
  config: RoutingConfig;
  resolve: (model: string) => RouteTarget | null;
  toCanonical: (call: Call) => ChatRequest;
  fetch: HttpScorerOptions['fetch'];
  estimateCostFor?: (call: Call, target: RouteTarget) => number | null;
}

/**
 * The runtime, or null when nothing is configured to route (no tiers, no rules): the route policy then resolves
 * every call by name at no extra cost. `problems` name the config paths of models that do not resolve.
 */
export function createRoutingRuntime(options: RoutingRuntimeOptions): { runtime: RoutingRuntime | null; problems: string[] } {
  const { config } = options;
  if (config.tiers.length === 0 && config.rules.length === 0) return { runtime: null, problems: [] };
  const { plan, problems } = compileRouting(config, options.resolve);
  const builtin = builtinScorer();
  const classifier = config.auto.classifier;
  const scorer = classifier === 'builtin' ? builtin : httpScorer({ url: classifier.url, timeoutMs: classifier.timeout_ms, fetch: options.fetch, fallback: builtin });
  const runtime: RoutingRuntime = { plan, scorer, toCanonical: options.toCanonical };
  if (options.estimateCostFor !== undefined) runtime.estimateCostFor = options.estimateCostFor;
  return { runtime, problems };
}
