/**
 * The prompt-cache policy (`cache.prompt_cache`, docs/prompt-caching.md): makes provider prompt caches hit.
 * - Anthropic upstream: automatic `cache_control` breakpoints (anthropic-breakpoints.ts) with a 5m / 1h TTL chosen
 *   from the prefix's observed reuse interval (ttl-chooser.ts).
 * - OpenAI-family upstream (openai and openai-compatible wires; chat and responses): `prompt_cache_key` from the
 *   tenant and the stable prefix hash, unless the caller set one.
 * - Every long prompt's stable prefix hash is remembered with the provider that served it (affinity.ts) for a router.
 * Same wire as the caller: the change goes in `call.bodyOverrides` (the fast path re-serialises once). Different
 * wire: a rewrite of the translated body (translated-body.ts), because the caller's dialect cannot carry the fields.
 * Runs after routing (it needs the target). Prompts shorter than the provider's minimum cost one comparison: the raw
 * body's byte length is checked before anything is parsed or estimated (a token is at least one byte).
 */
import type { Call, Policy } from '../../pipeline/call.js';
import type { PromptCacheConfig } from '../../spec/config/cache-schema.js';
import { estimateTokens, type EstimateFamily } from '../../tokens/index.js';
import { createPrefixAffinity, type PrefixAffinity } from './affinity.js';
import { placeAnthropicBreakpoints, type Placement, type PlacementOptions } from './anthropic-breakpoints.js';
import { anthropicMinimumTokens, ANTHROPIC_MINIMUMS, OPENAI_MINIMUM_TOKENS, type MinimumRule } from './cache-minimums.js';
import { openAiCacheKey, openAiPromptText } from './openai-cache-key.js';
import { hashParts, stablePrefixHash } from './prefix-hash.js';
import { deferUpstreamRewrite } from './translated-body.js';
import { createTtlChooser, type CacheTtl } from './ttl-chooser.js';

export type UpstreamWire = 'openai' | 'anthropic' | 'gemini';

export interface PromptCacheOptions {
  config: PromptCacheConfig;
  /** The wire a configured provider speaks (the server's provider runtimes); undefined = unknown, left alone. */
  wireOf: (provider: string) => UpstreamWire | undefined;
  now: () => number;
  /** Token estimate used for eligibility; default the calibrated estimate of src/tokens. */
  estimate?: (text: string, family: EstimateFamily) => number;
  minimums?: readonly MinimumRule[];
  /** Most prefixes whose reuse interval is tracked (LRU); default 50,000. */
  maxTrackedPrefixes?: number;
  affinity?: PrefixAffinity;
  /** Told what was placed on each call that got breakpoints (logging, tests). */
  onPlaced?: (call: Call, placement: Placement) => void;
}

export type PromptCachePolicy = Policy & { readonly affinity: PrefixAffinity };

type Body = Record<string, unknown>;

function tenantOf(call: Call): string {
  return call.attribution.keyId ?? call.key?.id ?? 'anonymous';
}

function effectiveBody(call: Call): Body {
  return call.bodyOverrides === null ? call.body : { ...call.body, ...call.bodyOverrides };
}

function override(call: Call, changes: Body): void {
  call.bodyOverrides = { ...(call.bodyOverrides ?? {}), ...changes };
}

/** The first message that is not a system / developer message: the opening of the conversation. */
function openingMessage(body: Body): unknown {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  return messages.find((message) => typeof message !== 'object' || message === null || !['system', 'developer'].includes(String((message as Body).role)));
}

export function promptCache(options: PromptCacheOptions): PromptCachePolicy {
  const { config, now } = options;
  const estimate = options.estimate ?? estimateTokens;
  const minimums = options.minimums ?? ANTHROPIC_MINIMUMS;
  const chooser = createTtlChooser({ maxEntries: options.maxTrackedPrefixes });
  const affinity = options.affinity ?? createPrefixAffinity({ maxEntries: options.maxTrackedPrefixes });

  const ttlFor = (key: string, at: number): CacheTtl => (config.anthropic_ttl === 'auto' ? chooser.observe(key, at) : config.anthropic_ttl);

  /** Returns the stable prefix hash when the prompt was long enough to be considered. */
  const prepareAnthropic = (call: Call, model: string): string | null => {
    const minTokens = anthropicMinimumTokens(model, minimums);
    if (call.rawBody.length < minTokens) return null;
    const body = effectiveBody(call);
    const prefixHash = stablePrefixHash(body);
    const tenant = tenantOf(call);
    const at = now();
    const ttl = {
      system: ttlFor(`${tenant}:${prefixHash}`, at),
      conversation: ttlFor(`${tenant}:${hashParts([prefixHash, openingMessage(body)])}`, at),
    };
    const placement: PlacementOptions = { minTokens, ttl, estimate: (text) => estimate(text, 'anthropic') };
    if (call.dialect === 'anthropic') {
      const placed = placeAnthropicBreakpoints(body, placement);
      if (placed.placed.length === 0) return prefixHash;
      override(call, placed.changes);
      options.onPlaced?.(call, placed);
    } else {
      deferUpstreamRewrite(call, (upstream) => {
        const placed = placeAnthropicBreakpoints(upstream, placement);
        if (placed.placed.length === 0) return upstream;
        options.onPlaced?.(call, placed);
        return { ...upstream, ...placed.changes };
      });
    }
    return prefixHash;
  };

  const prepareOpenAi = (call: Call): string | null => {
    if (call.rawBody.length < OPENAI_MINIMUM_TOKENS) return null;
    const body = effectiveBody(call);
    if (estimate(openAiPromptText(body), 'o200k') < OPENAI_MINIMUM_TOKENS) return null;
    const prefixHash = stablePrefixHash(body);
    const key = openAiCacheKey(tenantOf(call), prefixHash);
    if (call.dialect === 'openai') {
      if (!('prompt_cache_key' in body)) override(call, { prompt_cache_key: key });
    } else {
      deferUpstreamRewrite(call, (upstream) => ('prompt_cache_key' in upstream ? upstream : { ...upstream, prompt_cache_key: key }));
    }
    return prefixHash;
  };

  /**
   * When the router left several equivalent candidates, the one that served this prefix last (its provider cache is
   * warm) goes first. Only for prompts long enough to be cached: the hash is not computed for short ones.
   */
  const preferWarmCandidate = (call: Call): void => {
    const routing = call.routing;
    if (routing === null || routing === undefined || routing.candidates.length < 2 || call.rawBody.length < OPENAI_MINIMUM_TOKENS) return;
    const preferred = affinity.preferred(stablePrefixHash(effectiveBody(call)), now());
    const index = preferred === undefined ? -1 : routing.candidates.findIndex((candidate) => candidate.provider === preferred);
    if (index <= 0) return;
    const [warm] = routing.candidates.splice(index, 1);
    if (warm === undefined) return;
    routing.candidates.unshift(warm);
    routing.reason = `${routing.reason},prefix-affinity`;
    call.target = warm;
  };

  const policy: Policy = async (call, next) => {
    if (call.target === null || call.endpoint === 'embeddings' || call.endpoint === 'count_tokens') return next();
    preferWarmCandidate(call);
    const target = call.target;
    const wire = options.wireOf(target.provider);
    let prefixHash: string | null = null;
    if (wire === 'anthropic' && config.anthropic_breakpoints === 'auto') prefixHash = prepareAnthropic(call, target.upstreamModel);
    else if (wire === 'openai' && config.openai_cache_key === 'auto') prefixHash = prepareOpenAi(call);
    await next();
    // The provider that answered (a fallback may have served instead of the first candidate) now holds the prefix.
    const served = call.attempts.findLast((attempt) => attempt.status < 400 && attempt.cacheSource === null);
    if (prefixHash !== null && served !== undefined) affinity.remember(prefixHash, served.provider, now());
  };
  return Object.assign(policy, { affinity });
}
