/**
 * `POST /v1/jevons/estimate`: the pre-flight cost estimate of a chat request (policies/estimate-cost.ts), answered
 * locally. The body is the one the caller would send to /v1/chat/completions or /v1/messages; it is authenticated and
 * routed like that call, validated by the same dialect parser, and translated as far as the call would be, so the
 * estimate fails where the call would fail. Nothing is sent upstream and nothing is written to the ledger.
 * Reference: docs/estimate.md.
 */
import type { IncomingMessage } from 'node:http';
import { compose, type Call, type Handler, type Policy, type RouteTarget } from '../pipeline/call.js';
import { createContextWindowLookup, estimateCost, type CostEstimate, type EstimateCostInput } from '../policies/estimate-cost.js';
import { route } from '../policies/route.js';
import type { PriceCatalog } from '../pricing/index.js';
import type { ChatRequest, Dialect } from '../spec/canonical.js';
import { GatewayError } from '../spec/errors.js';
import { toServiceTier, type ServiceTier } from '../spec/usage.js';
import { sendJson } from './app.js';
import { dialects, wires } from './dispatch/codecs.js';
import type { ProviderRuntime } from './upstream/provider-runtime.js';

export const ESTIMATE_PATH = '/v1/jevons/estimate';

export interface EstimateEndpointDeps {
  /** The gateway's authenticate policy (the same instance as the model routes'). */
  authenticate: Policy;
  /** Model routing (pipeline/model-catalog.ts): the same resolution and "unknown model" error as the model routes. */
  resolve: (model: string) => RouteTarget | null;
  describe: () => string;
  runtimes: ReadonlyMap<string, ProviderRuntime>;
  catalog: PriceCatalog;
  /** Prompt tokens of a canonical request: src/tokens `countChatTokens`. */
  count: EstimateCostInput['count'];
  /** Context windows; default: createContextWindowLookup() (genai-prices data). */
  contextWindow?: (input: { providerFamily: string; model: string }) => number | null;
  /** Clock for the price version in force. */
  now: () => number;
}

export interface EstimateEndpoint {
  /** Runs authenticate and route, then answers with the estimate. */
  handle: Handler;
  /** The dialect of a request to this endpoint (see estimateDialect); `body` is null before the body is read. */
  dialectOf: (request: Pick<IncomingMessage, 'url' | 'headers'>, body: Record<string, unknown> | null) => Dialect;
}

const isDialect = (value: unknown): value is Dialect => value === 'openai' || value === 'anthropic';

/** Message roles only OpenAI's chat format has. */
const openaiRoles = new Set(['system', 'developer', 'tool', 'function']);
/** Top-level fields only OpenAI's chat format has (https://platform.openai.com/docs/api-reference/chat/create). */
const openaiKeys = [
  'max_completion_tokens', 'n', 'logprobs', 'top_logprobs', 'frequency_penalty', 'presence_penalty', 'logit_bias', 'response_format', 'stream_options',
  'seed', 'reasoning_effort', 'parallel_tool_calls', 'modalities', 'audio', 'prediction', 'web_search_options', 'functions', 'function_call', 'user', 'store',
] as const;
/** Top-level fields only Anthropic's messages format has (https://docs.anthropic.com/en/api/messages). */
const anthropicKeys = ['system', 'stop_sequences', 'top_k', 'thinking', 'output_config', 'container', 'mcp_servers', 'context_management'] as const;

/**
 * The caller's dialect, which decides how the body is parsed and how errors are rendered. First match wins:
 * 1. the `dialect` query parameter (`?dialect=openai` or `?dialect=anthropic`; another value is a 400 naming it);
 * 2. an `anthropic-version` header (every Anthropic SDK sends one) → anthropic;
 * 3. the body's shape: a field only OpenAI's chat format has (`max_completion_tokens`, `n`, `logprobs`,
 *    `response_format`, `stream_options`, `seed`, `user`, ... see openaiKeys) or a message whose role is system /
 *    developer / tool / function → openai; else a field only Anthropic's has (top-level `system`, `stop_sequences`,
 *    `top_k`, `thinking`, ... see anthropicKeys) → anthropic. `max_tokens` alone does not decide: Anthropic requires
 *    it, but OpenAI accepts it too, and such a body (plain user/assistant messages) reads the same either way;
 * 4. openai.
 * Before the body is read (`body` null) only 1 and 2 apply, and an invalid query value is ignored: the 400 comes once
 * the body has been read.
 */
export function estimateDialect(request: Pick<IncomingMessage, 'url' | 'headers'>, body: Record<string, unknown> | null): Dialect {
  const query = new URL(request.url ?? '/', 'http://gateway').searchParams.get('dialect');
  if (query !== null) {
    if (isDialect(query)) return query;
    if (body !== null) throw new GatewayError({ code: 'invalid_request', param: 'dialect', message: `dialect: expected "openai" or "anthropic" in the query string, got ${JSON.stringify(query)}` });
  }
  if (request.headers['anthropic-version']) return 'anthropic';
  if (body === null) return 'openai';
  const messages = Array.isArray(body.messages) ? (body.messages as unknown[]) : [];
  const hasOpenAIRole = messages.some((message) => typeof message === 'object' && message !== null && openaiRoles.has(String((message as Record<string, unknown>).role)));
  if (hasOpenAIRole || openaiKeys.some((key) => key in body)) return 'openai';
  return anthropicKeys.some((key) => key in body) ? 'anthropic' : 'openai';
}

/**
 * OpenAI fields the canonical request cannot carry but that change no prompt token, dropped before a same-wire body
 * is parsed: the call forwards them untouched. `n` multiplies the output (read separately).
 */
const neutralOpenAIFields = ['n', 'logprobs', 'top_logprobs', 'frequency_penalty', 'presence_penalty', 'logit_bias'] as const;

/** The cache writes an Anthropic body asks for: '1h' if any `cache_control` marker has ttl 1h, '5m' for any other marker. */
function cacheWriteOf(value: unknown, depth = 0): '5m' | '1h' | undefined {
  if (typeof value !== 'object' || value === null || depth > 64) return undefined;
  let found: '5m' | '1h' | undefined;
  for (const [key, inner] of Object.entries(value)) {
    const marker = key === 'cache_control' && typeof inner === 'object' && inner !== null;
    const ttl = marker ? ((inner as Record<string, unknown>).ttl === '1h' ? '1h' : '5m') : cacheWriteOf(inner, depth + 1);
    if (ttl === '1h') return ttl;
    found ??= ttl;
  }
  return found;
}

/** What the call would carry besides the canonical request: service tier, choices, cache writes, the limit's field. */
interface CallExtras {
  request: ChatRequest;
  serviceTier?: ServiceTier;
  choices?: number;
  cacheWrite?: '5m' | '1h';
  upstreamDefaultMaxOutput?: number;
  maxOutputField: string;
}

/** The body field the canonical maxOutputTokens came from (OpenAI: max_completion_tokens wins over max_tokens). */
const maxOutputFieldOf = (call: Call): string => (call.dialect === 'openai' && call.body.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens');

/** A same-wire call is forwarded as-is: a field the canonical model cannot carry makes it uncountable, not invalid. */
function parseForwarded(call: Call, runtime: ProviderRuntime): CallExtras {
  // Copied (and the fields set to undefined, which keeps the object fast, unlike delete) only when one is present.
  let body = call.body;
  if (call.dialect === 'openai' && neutralOpenAIFields.some((field) => body[field] !== undefined)) {
    body = { ...body };
    for (const field of neutralOpenAIFields) body[field] = undefined;
  }
  let request: ChatRequest;
  try {
    request = dialects[call.dialect].parse(body);
  } catch (error) {
    if (!GatewayError.isInstance(error) || error.code !== 'untranslatable') throw error;
    const param = error.param ?? 'request';
    const detail = error.message.startsWith(`${param}: `) ? error.message.slice(param.length + 2) : error.message;
    throw new GatewayError({ code: 'unsupported', param, message: `${param}: cannot be estimated: provider "${runtime.name}" would receive it unchanged, but Jevons cannot count or price it (${detail})` });
  }
  const extras: CallExtras = { request, maxOutputField: maxOutputFieldOf(call) };
  if (call.dialect === 'openai') {
    // OpenAI `service_tier`: flex and priority change the price; auto / default / scale are billed as standard.
    const tier = typeof call.body.service_tier === 'string' ? toServiceTier(call.body.service_tier) : 'standard';
    if (tier === 'flex' || tier === 'priority') extras.serviceTier = tier;
    if (typeof call.body.n === 'number' && call.body.n > 1) extras.choices = call.body.n;
  } else {
    // Anthropic `service_tier` (auto / standard_only) does not change the list price: only cache writes matter here.
    const cacheWrite = cacheWriteOf(call.body);
    if (cacheWrite !== undefined) extras.cacheWrite = cacheWrite;
  }
  return extras;
}

/** Text of an embeddings `input`: a string, strings, or token-id arrays (each id counted as one short word). */
function embeddingsText(input: unknown): string {
  if (typeof input === 'string') return input;
  if (!Array.isArray(input)) return '';
  return input.map((item) => (typeof item === 'number' ? 'x' : Array.isArray(item) ? item.map(() => 'x').join(' ') : typeof item === 'string' ? item : '')).join('\n');
}

/**
 * Embeddings and Responses calls are forwarded to OpenAI-family upstreams without a canonical form: an embeddings
 * call is its input text with no output; a Responses call is counted over its whole body (an upper bound: field
 * names count too) with its `max_output_tokens`.
 */
function passthroughExtras(call: Call): CallExtras {
  const embeddings = call.endpoint === 'embeddings';
  const text = embeddings ? embeddingsText(call.body.input) : call.rawBody.toString('utf8');
  const request: ChatRequest = { model: call.model, messages: [{ role: 'user', content: [{ type: 'text', text }] }], stream: false, includeUsage: false };
  const limit = embeddings ? 0 : call.body.max_output_tokens;
  if (typeof limit === 'number') request.maxOutputTokens = limit;
  return { request, maxOutputField: embeddings ? 'input' : 'max_output_tokens' };
}

/** A translated call: parsed and converted to the upstream wire exactly as dispatch would, so it fails the same way. */
function parseTranslated(call: Call, runtime: ProviderRuntime, upstreamModel: string): CallExtras {
  const request = dialects[call.dialect].parse(call.body);
  const upstream = wires[runtime.wire].toRequest(request, { upstreamModel, runtime });
  const extras: CallExtras = { request, maxOutputField: maxOutputFieldOf(call) };
  // Anthropic requires max_tokens: a request without a limit goes up with the converter's default.
  if (request.maxOutputTokens === undefined && typeof upstream.body.max_tokens === 'number') extras.upstreamDefaultMaxOutput = upstream.body.max_tokens;
  return extras;
}

/** The response body: the CostEstimate in snake_case, with the requested model and the resolved provider. */
function render(options: { call: Call; target: RouteTarget; runtime: ProviderRuntime; estimate: CostEstimate }): Record<string, unknown> {
  const { estimate } = options;
  return {
    object: 'jevons.cost_estimate',
    requested_model: options.call.model,
    provider: options.target.provider,
    price_family: options.runtime.priceFamily,
    dialect: options.call.dialect,
    model: estimate.model,
    price_ref: estimate.priceRef,
    input_tokens: estimate.inputTokens,
    input_exact: estimate.inputExact,
    input_method: estimate.inputMethod,
    safety_factor: estimate.safetyFactor,
    reservation_input_tokens: estimate.reservationInputTokens,
    max_output_tokens: estimate.maxOutputTokens,
    max_output_source: estimate.maxOutputSource,
    choices: estimate.choices,
    service_tier: estimate.serviceTier,
    input_usd: estimate.inputUsd,
    worst_case_usd: estimate.worstCaseUsd,
    unpriced: estimate.unpriced,
    unpriced_reason: estimate.unpricedReason,
  };
}

/**
 * The pre-flight estimate of a routed call (its target set), as the endpoint answers it: the one function budgets
 * and rate limits reserve with. Throws a GatewayError for a body it cannot count.
 */
export function estimateCall(call: Call, deps: Pick<EstimateEndpointDeps, 'runtimes' | 'catalog' | 'count' | 'now'> & { fastCount?: boolean } & { contextWindow: NonNullable<EstimateEndpointDeps['contextWindow']> }): { estimate: CostEstimate; target: RouteTarget; runtime: ProviderRuntime } {
  const target = call.target;
  const runtime = target ? deps.runtimes.get(target.provider) : undefined;
  if (!target || !runtime) throw new GatewayError({ code: 'internal', message: `No runtime for the target of model "${call.model}".` });
  const model = target.upstreamModel;
  const extras = call.endpoint === 'embeddings' || call.endpoint === 'responses' ? passthroughExtras(call) : runtime.wire === call.dialect ? parseForwarded(call, runtime) : parseTranslated(call, runtime, model);
  // Fields listed one by one: a spread into this literal cost ~10 µs per call (slow-path property stores).
  const estimate = estimateCost({
    request: extras.request,
    serviceTier: extras.serviceTier,
    choices: extras.choices,
    cacheWrite: extras.cacheWrite,
    upstreamDefaultMaxOutput: extras.upstreamDefaultMaxOutput,
    maxOutputField: extras.maxOutputField,
    providerFamily: runtime.priceFamily,
    model,
    catalog: deps.catalog,
    at: deps.now(),
    count: deps.count,
    fastCount: deps.fastCount,
    contextWindow: deps.contextWindow({ providerFamily: runtime.priceFamily, model }),
  });
  return { estimate, target, runtime };
}

export function createEstimateEndpoint(deps: EstimateEndpointDeps): EstimateEndpoint {
  const contextWindow = deps.contextWindow ?? createContextWindowLookup();
  const answer: Handler = async (call) => {
    const { estimate, target, runtime } = estimateCall(call, { ...deps, contextWindow });
    sendJson(call.response, 200, render({ call, target, runtime, estimate }), { 'x-jevons-request-id': call.requestId });
  };
  return {
    handle: compose([deps.authenticate, route({ resolve: deps.resolve, describe: deps.describe })], answer),
    dialectOf: estimateDialect,
  };
}
