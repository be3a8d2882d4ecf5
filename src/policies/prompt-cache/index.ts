/** Provider prompt-cache optimisation (docs/prompt-caching.md). */
export { promptCache, type PromptCacheOptions, type PromptCachePolicy, type UpstreamWire } from './prompt-cache-policy.js';
export { placeAnthropicBreakpoints, MAX_BREAKPOINTS, type Placement, type PlacedBreakpoint, type BreakpointRule } from './anthropic-breakpoints.js';
export { anthropicMinimumTokens, ANTHROPIC_MINIMUMS, OPENAI_MINIMUM_TOKENS, OPENAI_CACHE_INCREMENT } from './cache-minimums.js';
export { createTtlChooser, FIVE_MINUTES_MS, ONE_HOUR_MS, type CacheTtl, type TtlChooser } from './ttl-chooser.js';
export { createPrefixAffinity, type PrefixAffinity } from './affinity.js';
export { stablePrefixHash } from './prefix-hash.js';
export { openAiCacheKey } from './openai-cache-key.js';
export { rewriteTranslatedBody } from './translated-body.js';
