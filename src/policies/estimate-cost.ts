/**
 * Pre-flight cost estimate of a chat request, from the request alone: nothing is sent upstream. Served by
 * `POST /v1/jevons/estimate` (src/server/estimate-endpoint.ts) and meant for budget reservations, which call it
 * before the upstream call. Reference: docs/estimate.md.
 */
import { calcPrice } from '@pydantic/genai-prices';
import { computeCost, normalizeFamily, pricesFor, roundUsd, scheduleFor, usdFor, type PriceCatalog, type PriceEntry } from '../pricing/index.js';
import type { ChatRequest } from '../spec/canonical.js';
import { emptyUsage, type ServiceTier, type TokenUsage } from '../spec/usage.js';
import { estimateFamilyFor, estimateSafetyFactor, openAIEncodingFor } from '../tokens/index.js';

/**
 * The output limit assumed when neither the request, the upstream's own default nor the model's context window
 * bounds it (a model without genai-prices data and a request without max_tokens). Current chat models cap output
 * between 8,192 and 128,000 tokens; 32,768 covers most of them. An estimate that used it says so
 * (`maxOutputSource: 'default'`): send max_tokens to get a bound that holds.
 */
export const DEFAULT_MAX_OUTPUT_TOKENS = 32_768;

/**
 * Where `maxOutputTokens` came from, in the order they are tried:
 * - `request:<field>`: the request's own limit (`max_tokens`, `max_completion_tokens`);
 * - `upstream-default`: the limit Jevons itself sends when it translates a request without one (Anthropic requires
 *   max_tokens: see providers/anthropic/anthropic-convert-request.ts `defaultMaxTokensFor`);
 * - `context-window`: the model's context window (genai-prices `ModelInfo.context_window`) minus the input; the
 *   bundled data has no max-output field, so this is the tightest bound it gives;
 * - `default`: DEFAULT_MAX_OUTPUT_TOKENS.
 */
export type MaxOutputSource = `request:${string}` | 'upstream-default' | 'context-window' | 'default';

export interface EstimateCostInput {
  request: ChatRequest;
  /** Price-catalog family of the provider the request routes to ('openai', 'anthropic', 'google', 'groq', ...). */
  providerFamily: string;
  /** The upstream model id: what is counted and priced. */
  model: string;
  catalog: PriceCatalog;
  /** Epoch ms whose price version applies; default: the catalog's now. */
  at?: number;
  /** Prompt tokens of the request: src/tokens `countChatTokens` (given the provider family for the estimate's weights). */
  count: (request: ChatRequest, model: string, options: { providerFamily: string }) => { tokens: number; exact: boolean };
  /** `count` is the calibrated estimate for every model (tokens/estimateChatTokens): OpenAI models then get the
   * o200k estimate's safety factor too. */
  fastCount?: boolean;
  /**
   * Multiplier for an inexact count, making the reservation input an upper bound. Default: src/tokens
   * `estimateSafetyFactor` of the model's estimate family when the count is the calibrated estimate; none for an
   * OpenAI model (its tokenizer counts the text; only tool layouts and image sizes are approximated).
   */
  safetyFactor?: number;
  /** The model's context window in tokens (createContextWindowLookup); absent or null = unknown. */
  contextWindow?: number | null;
  /** The limit the upstream call will carry when the request sets none (a translated Anthropic call's max_tokens). */
  upstreamDefaultMaxOutput?: number;
  /** The request field that set request.maxOutputTokens, for maxOutputSource (default 'max_tokens'). */
  maxOutputField?: string;
  /** The service tier the request asks for (OpenAI `service_tier`); absent = standard. */
  serviceTier?: ServiceTier;
  /** Completions asked for (OpenAI `n`): each is billed its own output; default 1. */
  choices?: number;
  /**
   * The request marks content for prompt caching (Anthropic cache_control; ttl 1h or the default 5m). OpenAI-family
   * models cache on their own, so they are always treated as '5m' at least (see automaticCacheWrite).
   */
  cacheWrite?: '5m' | '1h';
}

export interface CostEstimate {
  /** The model priced (the upstream id). */
  model: string;
  /** The price entry used (as on ledger rows); null when the model has no price. */
  priceRef: string | null;
  /** Prompt tokens as counted. */
  inputTokens: number;
  /** True only when the model's own tokenizer counted every part of the prompt. */
  inputExact: boolean;
  /**
   * 'tokenizer:o200k_base' | 'tokenizer:cl100k_base' (OpenAI models), or 'estimate:<family>' for the calibrated
   * estimate with the weights of a tokenizer family: 'estimate:anthropic' | 'estimate:gemini' | 'estimate:o200k'.
   */
  inputMethod: string;
  /** The factor applied to an inexact count; null when the count is exact or none applies (see the input's safetyFactor). */
  safetyFactor: number | null;
  /** inputTokens, or ceil(inputTokens × safetyFactor) for an inexact count: what the worst case prices. */
  reservationInputTokens: number;
  /** Most output tokens one completion can bill (reasoning included). */
  maxOutputTokens: number;
  maxOutputSource: MaxOutputSource;
  /** Completions billed (OpenAI `n`). */
  choices: number;
  serviceTier: ServiceTier;
  /** inputTokens at the uncached input price of their context tier and service tier; null when unpriced. */
  inputUsd: number | null;
  /**
   * Upper bound of the call's cost: reservationInputTokens at the dearest rate the request can be billed for them
   * (the cache-write rate when it asks for caching or the provider caches on its own), plus choices × maxOutputTokens at the output price (or the
   * reasoning price when dearer), at the context tier the input falls in and the requested service tier, plus the
   * per-request fee. Null, never 0, when unpriced.
   */
  worstCaseUsd: number | null;
  unpriced: boolean;
  /** 'no-price': the catalog has no price for the model; 'no-service-tier-price': none for the requested tier. */
  unpricedReason: 'no-price' | 'no-service-tier-price' | null;
}

/** Output limit and where it came from (see MaxOutputSource). */
function maxOutputOf(input: EstimateCostInput, inputTokens: number): { tokens: number; source: MaxOutputSource } {
  const requested = input.request.maxOutputTokens;
  if (requested !== undefined) return { tokens: requested, source: `request:${input.maxOutputField ?? 'max_tokens'}` };
  if (input.upstreamDefaultMaxOutput !== undefined) return { tokens: input.upstreamDefaultMaxOutput, source: 'upstream-default' };
  const window = input.contextWindow ?? null;
  if (window !== null && window > 0) return { tokens: Math.max(0, window - inputTokens), source: 'context-window' };
  return { tokens: DEFAULT_MAX_OUTPUT_TOKENS, source: 'default' };
}

/**
 * Providers that write the prompt cache without being asked: OpenAI caches every long-enough prompt, and bills the
 * writes at 1.25× input from GPT-5.6 on (docs/translation.md, OpenAI usage). Models without a write price fall back to
 * the input price, so considering the write costs them nothing.
 */
const automaticCacheWrite: ReadonlySet<string> = new Set(['openai']);

/**
 * The dearest way the call can be billed: every input token at the dearest input rate it can take (uncached, or
 * written to the cache when the request or the provider caches), every output token at the dearer of the output and
 * reasoning rates, plus the request fee. The context tier follows the whole input, the same for every variant, so
 * this equals the most expensive of computeCost over those usage variants, rounded per component like computeCost.
 * Null when the entry has no price for the requested service tier.
 */
function worstCaseUsd(input: EstimateCostInput, entry: PriceEntry, reservationInput: number, output: number): number | null {
  const usage: TokenUsage = { ...emptyUsage(), inputTokens: reservationInput, outputTokens: output };
  if (input.serviceTier !== undefined) usage.serviceTier = input.serviceTier;
  const schedule = scheduleFor(entry, usage);
  if (schedule === null) return null;
  const prices = pricesFor(schedule, usage);
  const cacheWrite = input.cacheWrite ?? (automaticCacheWrite.has(normalizeFamily(input.providerFamily)) ? '5m' : undefined);
  const write5m = prices.cacheWrite5mPerMtok ?? prices.inputPerMtok;
  let inputRate = prices.inputPerMtok;
  if (cacheWrite !== undefined) inputRate = Math.max(inputRate, write5m);
  if (cacheWrite === '1h') inputRate = Math.max(inputRate, prices.cacheWrite1hPerMtok ?? write5m);
  const outputRate = Math.max(prices.outputPerMtok, prices.reasoningPerMtok ?? prices.outputPerMtok);
  return roundUsd(roundUsd(usdFor(reservationInput, inputRate)) + roundUsd(usdFor(output, outputRate)) + roundUsd(entry.requestUsd));
}

/**
 * The cost estimate of a chat request before it is sent. Pure: no I/O, no clock (`at` defaults to the catalog's).
 * Input tokens come from `count` (OpenAI models: their tokenizer; others: the calibrated estimate, flagged inexact and
 * multiplied by its family's safety factor for the reservation). Costs follow computeCost (src/pricing), so an
 * estimate and the ledger row of the same call price tokens the same way.
 *
 * Cost (measured on the CI machine, small chat request): ~2-4 µs without the count, ~4-6 µs with the calibrated
 * estimate, ~15 µs with the OpenAI tokenizer. gpt-tokenizer is loaded lazily, on the first count of an OpenAI model
 * (one-off ~200 ms for o200k_base, ~70-85 ms for cl100k_base), and counts ~100 KB of text in ~59 ms (DESIGN.md §5;
 * 10-200 ms here depending on the text and on warm-up); the calibrated estimate is one pass over the text (<1 ms per
 * 100 KB once warm). Keep the first OpenAI count off the hot path (warm it at start if budgets reserve per call).
 */
export function estimateCost(input: EstimateCostInput): CostEstimate {
  const counted = input.count(input.request, input.model, { providerFamily: input.providerFamily });
  // An OpenAI model counted by the calibrated estimate (a fast count for reservations) is an o200k-family estimate.
  const encoding = counted.exact || input.fastCount !== true ? openAIEncodingFor(input.model) : null;
  const estimateFamily = encoding === null ? estimateFamilyFor(input.model, { providerFamily: input.providerFamily }) : null;
  const inputMethod = estimateFamily === null ? `tokenizer:${encoding}` : `estimate:${estimateFamily}`;
  const factor = counted.exact ? null : (input.safetyFactor ?? (estimateFamily === null ? null : estimateSafetyFactor(estimateFamily)));
  // Rounded to 1e-6 first so that float noise (190,000 × 1.1 = 209,000.00000000003) does not add a token.
  const reservationInputTokens = factor === null ? counted.tokens : Math.ceil(Math.round(counted.tokens * factor * 1e6) / 1e6);
  const maxOutput = maxOutputOf(input, counted.tokens);
  const choices = input.choices ?? 1;
  const serviceTier = input.serviceTier ?? 'standard';
  const estimate: CostEstimate = {
    model: input.model,
    priceRef: null,
    inputTokens: counted.tokens,
    inputExact: counted.exact,
    inputMethod,
    safetyFactor: factor,
    reservationInputTokens,
    maxOutputTokens: maxOutput.tokens,
    maxOutputSource: maxOutput.source,
    choices,
    serviceTier,
    inputUsd: null,
    worstCaseUsd: null,
    unpriced: true,
    unpricedReason: 'no-price',
  };
  const entry = input.catalog.lookup({ providerFamily: input.providerFamily, model: input.model, at: input.at });
  if (entry === null) return estimate;
  estimate.priceRef = entry.ref;
  const inputOnly: TokenUsage = { ...emptyUsage(), inputTokens: counted.tokens };
  if (input.serviceTier !== undefined) inputOnly.serviceTier = input.serviceTier;
  const inputCost = computeCost(inputOnly, entry);
  const worst = worstCaseUsd(input, entry, reservationInputTokens, maxOutput.tokens * choices);
  // Set on the local object rather than spread into a new one (a spread literal is a slow path here).
  if (inputCost === null || worst === null) {
    estimate.unpricedReason = 'no-service-tier-price';
    return estimate;
  }
  estimate.inputUsd = inputCost.inputUsd;
  estimate.worstCaseUsd = worst;
  estimate.unpriced = false;
  estimate.unpricedReason = null;
  return estimate;
}

/** Bounds the memo when callers send arbitrary model names. */
const MAX_MEMO_ENTRIES = 10_000;

/**
 * Context windows from genai-prices' bundled data (`ModelInfo.context_window`), matched as the price catalog matches
 * models (its provider id, fallbacks and date-suffix normalisation); null when the data has none. Memoised.
 */
export function createContextWindowLookup(): (input: { providerFamily: string; model: string }) => number | null {
  const memo = new Map<string, number | null>();
  return ({ providerFamily, model }) => {
    const family = normalizeFamily(providerFamily);
    const key = `${family}\u0000${model}`;
    let window = memo.get(key);
    if (window === undefined) {
      try {
        window = calcPrice({}, model, { providerId: family })?.model.context_window ?? null;
      } catch {
        window = null;
      }
      if (memo.size >= MAX_MEMO_ENTRIES) memo.clear();
      memo.set(key, window);
    }
    return window;
  };
}
