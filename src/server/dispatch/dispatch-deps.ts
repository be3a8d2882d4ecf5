/**
 * What the dispatcher needs from the composition root, and the helpers every dispatch path shares: starting and
 * settling an Attempt, the response headers Jevons adds, and which upstream headers go back to the caller.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Attempt, AttemptCost, Call } from '../../pipeline/call.js';
import type { ChatRequest } from '../../spec/canonical.js';
import { withoutPromptCache, type TokenUsage } from '../../spec/usage.js';
import type { ProviderRuntime } from '../upstream/provider-runtime.js';
import { sendUpstream, type UpstreamResponse } from '../upstream/upstream-client.js';
import { errorCodeOf } from './estimate.js';
import type { RoutingExecution } from './attempts.js';

export interface PriceResult {
  cost: AttemptCost;
  ref: string;
}

export interface DispatchDeps {
  runtimes: ReadonlyMap<string, ProviderRuntime>;
  /**
   * Prices a usage record by the first of `models` the catalog knows (the served snapshot id, then the id that was
   * asked for), with the price in force at `at` (epoch ms); null when none has a price, or none for the service
   * tier the call was billed at (unpriced is never $0).
   */
  price: (input: { runtime: ProviderRuntime; models: readonly string[]; usage: TokenUsage; at: number }) => PriceResult | null;
  /** Token count of a text, for estimates when an upstream never reported usage (aborted streams); `family` is the
   * provider's price family, which picks the calibrated estimate for models without a shipped tokenizer. */
  countText: (text: string, model: string, family: string) => number;
  /** Prompt tokens of a canonical request, for the same estimates. */
  countRequest: (request: ChatRequest, model: string, family: string) => number;
  /** Whether the caller's own provider key is forwarded (pass-through mode). */
  passthroughCredentials: boolean;
  now: () => number;
  /** Fallbacks, provider health and cascades (attempts.ts); absent = one attempt per call, as before routing. */
  routing?: RoutingExecution;
}

export function startAttempt(options: { call: Call; runtime: ProviderRuntime; upstreamModel: string; streamed: boolean; now: number }): Attempt {
  const attempt: Attempt = {
    provider: options.runtime.name,
    upstreamModel: options.upstreamModel,
    servedModel: null,
    startedAt: options.now,
    firstByteAt: null,
    endedAt: options.now,
    status: 0,
    errorCode: null,
    streamed: options.streamed,
    clientAborted: false,
    usage: null,
    usageEstimated: false,
    cost: null,
    priceRef: null,
    cacheSource: null,
    costUncachedUsd: null,
  };
  options.call.attempts.push(attempt);
  return attempt;
}

/**
 * Starts an attempt and sends it: the attempt is recorded whatever happens (a transport failure is recorded with its
 * error code and rethrown); returns it with the upstream response once its headers arrived.
 */
export async function openAttempt(options: { call: Call; deps: DispatchDeps; runtime: ProviderRuntime; upstreamModel: string; path: string; headers: Record<string, string>; body: string | Buffer }): Promise<{ attempt: Attempt; upstream: UpstreamResponse }> {
  const { call, deps, runtime } = options;
  const attempt = startAttempt({ call, runtime, upstreamModel: options.upstreamModel, streamed: call.stream, now: deps.now() });
  call.marks.upstreamSent = performance.now();
  let upstream: UpstreamResponse;
  try {
    upstream = await sendUpstream({ runtime, path: options.path, headers: options.headers, body: options.body, controller: call.controller, clientAborted: () => call.clientAborted });
  } catch (error) {
    attempt.endedAt = deps.now();
    attempt.clientAborted = call.clientAborted;
    attempt.errorCode = errorCodeOf(error);
    throw error;
  }
  call.marks.upstreamHeaders = performance.now();
  attempt.firstByteAt = deps.now();
  attempt.status = upstream.status;
  return { attempt, upstream };
}

/** Records the usage of an attempt and prices it. */
export function settleUsage(options: { attempt: Attempt; deps: DispatchDeps; runtime: ProviderRuntime; usage: TokenUsage | null; estimated: boolean }): void {
  const { attempt } = options;
  attempt.usage = options.usage;
  attempt.usageEstimated = options.estimated;
  if (options.usage === null) return;
  const models = attempt.servedModel !== null && attempt.servedModel !== attempt.upstreamModel ? [attempt.servedModel, attempt.upstreamModel] : [attempt.upstreamModel];
  const priced = options.deps.price({ runtime: options.runtime, models, usage: options.usage, at: attempt.startedAt });
  attempt.cost = priced?.cost ?? null;
  attempt.priceRef = priced?.ref ?? null;
  attempt.costUncachedUsd = priced === null ? null : uncachedCost({ ...options, models, usage: options.usage, cost: priced.cost.totalUsd });
}

/**
 * What the attempt would have cost had the provider's prompt cache not been used: cache reads and writes priced as
 * plain input (same price entry, same instant). Equal to the cost when nothing was cached; lower than it when cache
 * writes cost more than they saved (Anthropic writes at 1.25x / 2x input): savings can be negative, honestly.
 */
function uncachedCost(options: { attempt: Attempt; deps: DispatchDeps; runtime: ProviderRuntime; models: string[]; usage: TokenUsage; cost: number }): number {
  if (options.usage.cacheReadTokens + options.usage.cacheWrite5mTokens + options.usage.cacheWrite1hTokens === 0) return options.cost;
  const plain = withoutPromptCache(options.usage);
  return options.deps.price({ runtime: options.runtime, models: options.models, usage: plain, at: options.attempt.startedAt })?.cost.totalUsd ?? options.cost;
}

const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding', 'date', 'server', 'proxy-connection', 'upgrade', 'trailer', 'te', 'set-cookie', 'alt-svc', 'cf-ray', 'cf-cache-status']);

/** Upstream response headers worth passing back (request ids, rate-limit state, retry-after, content type). */
export function passHeaders(upstream: IncomingHttpHeaders | Record<string, string | string[] | undefined>): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name in upstream) {
    if (!hopByHop.has(name)) {
      const value = upstream[name];
      if (value !== undefined) out[name] = value;
    }
  }
  return out;
}

/** Gateway time: from the request read to the upstream send, plus from the upstream's headers to ours. */
export function overheadMs(call: Call, now: number): string {
  const marks = call.marks;
  const before = marks.upstreamSent > 0 ? marks.upstreamSent - marks.received : now - marks.received;
  const after = marks.upstreamHeaders > 0 ? now - marks.upstreamHeaders : 0;
  return (before + after).toFixed(3);
}

export function formatCost(cost: AttemptCost | null): string | undefined {
  return cost === null ? undefined : cost.totalUsd.toFixed(10).replace(/0+$/, '').replace(/\.$/, '.0');
}

/** Reads a whole upstream body into one Buffer (event-based: cheaper than an async iterator per body). */
export function readAll(body: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    body.on('data', (chunk: Buffer) => chunks.push(chunk));
    body.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    body.once('error', reject);
  });
}
