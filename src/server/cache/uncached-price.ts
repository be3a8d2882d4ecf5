/**
 * The cost a cache hit avoided: the original call's usage priced now, with provider prompt-cache tokens counted as
 * plain input (what the call costs with no cache at all; the same rule as settleUsage's costUncachedUsd for upstream
 * attempts). Null when the provider is gone or the model has no price.
 */
import type { ResponseCacheOptions } from '../../policies/cache/response-cache-policy.js';
import { withoutPromptCache } from '../../spec/usage.js';
import type { DispatchDeps } from '../dispatch/dispatch-deps.js';

export function createUncachedPricer(deps: Pick<DispatchDeps, 'runtimes' | 'price'>): ResponseCacheOptions['priceUncached'] {
  return ({ provider, upstreamModel, servedModel, usage, at }) => {
    const runtime = deps.runtimes.get(provider);
    if (runtime === undefined) return null;
    const plain = withoutPromptCache(usage);
    const models = servedModel !== null && servedModel !== upstreamModel ? [servedModel, upstreamModel] : [upstreamModel];
    return deps.price({ runtime, models, usage: plain, at })?.cost.totalUsd ?? null;
  };
}
