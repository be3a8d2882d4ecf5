/**
 * The cost a cache hit avoided: the original call's usage priced now, with provider prompt-cache tokens counted as
 * plain input (what the call costs with no cache at all; the same rule as settleUsage's costUncachedUsd for upstream
 * attempts). Null when the provider is gone or the model has no price.
 */
import type { ResponseCacheOptions } from '../../policies/cache/response-cache-policy.js';
import type { TokenUsage } from '../../spec/usage.js';
import type { DispatchDeps } from '../dispatch/dispatch-deps.js';

export function createUncachedPricer(deps: Pick<DispatchDeps, 'runtimes' | 'price'>): ResponseCacheOptions['priceUncached'] {
  return ({ provider, upstreamModel, servedModel, usage, at }) => {
    const runtime = deps.runtimes.get(provider);
    if (runtime === undefined) return null;
    const cached = usage.cacheReadTokens + usage.cacheWrite5mTokens + usage.cacheWrite1hTokens;
    const plain: TokenUsage =
      cached === 0
        ? usage
        : {
            ...usage,
            inputTokens: usage.inputTokens + cached,
            cacheReadTokens: 0,
            cacheWrite5mTokens: 0,
            cacheWrite1hTokens: 0,
            inputAudioTokens: (usage.inputAudioTokens ?? 0) + (usage.cacheReadAudioTokens ?? 0),
            cacheReadAudioTokens: 0,
          };
    const models = servedModel !== null && servedModel !== upstreamModel ? [servedModel, upstreamModel] : [upstreamModel];
    return deps.price({ runtime, models, usage: plain, at })?.cost.totalUsd ?? null;
  };
}
