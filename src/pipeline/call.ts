/**
 * The Call: one inbound request as it moves through the policies. Created by the server once the body is parsed;
 * policies read and enrich it; the dispatcher (the innermost handler) appends one Attempt per upstream try.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { CostBreakdown } from '../pricing/index.js';
import type { ChatResponse, Dialect } from '../spec/canonical.js';
import type { Attribution, Endpoint } from '../spec/ledger.js';
import type { VirtualKey } from '../spec/ports.js';
import type { TokenUsage } from '../spec/usage.js';

/** A resolved destination: which configured provider, and the model id it knows. */
export interface RouteTarget {
  provider: string;
  upstreamModel: string;
}

/** The priced cost of an attempt, by component (src/pricing computeCost). */
export type AttemptCost = CostBreakdown;

/** What happened on one upstream try; the meter turns it into a ledger row. */
export interface Attempt {
  provider: string;
  upstreamModel: string;
  servedModel: string | null;
  startedAt: number;
  firstByteAt: number | null;
  endedAt: number;
  status: number;
  errorCode: string | null;
  streamed: boolean;
  clientAborted: boolean;
  usage: TokenUsage | null;
  usageEstimated: boolean;
  cost: AttemptCost | null;
  priceRef: string | null;
  /** Which response cache answered this attempt (no upstream call was made), or null for an upstream attempt. */
  cacheSource: CacheSource | null;
  /**
   * What this attempt would have cost with no cache at all (response cache or provider prompt cache), at the same
   * price: null when unpriced. A cache hit's own cost is 0; savings = costUncachedUsd - cost.totalUsd.
   */
  costUncachedUsd: number | null;
  /**
   * Why this attempt followed the previous one of the call: a fallback ('rate_limited', 'server_error', 'timeout',
   * 'connection', 'circuit_open') or a cascade escalation ('cascade:<validator>'); undefined/null for the first.
   */
  followsReason?: string | null;
}

/** How the router chose a call's target; recorded on every ledger row of the call. */
export interface RoutingDecision {
  /** The tier chosen, null for a pinned model. */
  tier: string | null;
  /** Why: 'pinned', 'header', 'rule:<index>', 'auto', 'feature-default', 'budget-downgrade'... */
  reason: string;
  /** The classifier's score when automatic routing decided, else null; and which classifier. */
  score: number | null;
  classifierId: string | null;
  /** Ordered candidates: the first is call.target, the rest are fallbacks. */
  candidates: RouteTarget[];
  /** Tiers to escalate to, cheapest first, when a cascade validator fails; empty = no cascade. */
  escalation: Array<{ tier: string; candidates: RouteTarget[] }>;
  /** Shadow mode: what the router would have chosen (the call is served as asked) and that model's estimated cost. */
  shadow: { tier: string | null; target: RouteTarget; estimatedCostUsd: number | null } | null;
  /**
   * Routing savings' baseline (docs/routing.md): the model the call would have been served by without routing, set
   * when the decision chose the model (a rule, a tier header, automatic routing) and the call is served as decided:
   * the model the caller named, resolved, or for `jevons/auto` the configured automatic baseline. Null or absent for a
   * pinned model, a shadowed call, and a named model that does not resolve (without routing it would have been a 404).
   */
  baseline?: RouteTarget | null;
}

/** The response cache that served an attempt. */
export type CacheSource = 'exact' | 'semantic';

/**
 * Armed by the response cache (src/policies/cache) on a call whose answer may be stored: the dispatcher then puts the
 * canonical response of a successful attempt in `response` (decoding it on the forward path, which otherwise never
 * does). Absent on every other call, so the hot path does no extra work.
 */
export interface ResponseCapture {
  response: ChatResponse | null;
}

export interface Call {
  readonly requestId: string;
  readonly dialect: Dialect;
  readonly endpoint: Endpoint;
  /** Epoch ms when the request's body had been read. */
  readonly receivedAt: number;
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body (parsed once, by the server). */
  readonly body: Record<string, unknown>;
  /** The body bytes as received: forwarded unchanged on the fast path. */
  readonly rawBody: Buffer;
  /** The public model name the caller asked for. */
  readonly model: string;
  readonly stream: boolean;
  /** End-user id from the body (OpenAI `user`, Anthropic `metadata.user_id`). */
  readonly bodyUser: string | null;
  /** The secret the caller presented (Authorization: Bearer or x-api-key), if any. */
  readonly credential: string | null;
  key: VirtualKey | null;
  attribution: Attribution;
  /** Where the call goes; set by the route policy (a budget's downgrade may change it). */
  target: RouteTarget | null;
  /**
   * The routing decision (tiers, rules, automatic routing; docs/routing.md), null when the call was routed by its
   * model name alone. `candidates[0]` is `target`; the dispatcher fails over to the rest on retryable failures.
   */
  routing?: RoutingDecision | null;
  /**
   * Request fields a policy replaces, in the caller's dialect (a budget's cap sets `max_tokens`); null = none.
   * The dispatcher merges them into the body it sends, on the fast path and the translating path alike.
   */
  bodyOverrides: Record<string, unknown> | null;
  readonly attempts: Attempt[];
  /** Aborts the upstream call: fired when the client goes away or an attempt's total time runs out. */
  readonly controller: CallAbort;
  /** Set when the client closed the connection before the response was complete. */
  clientAborted: boolean;
  /** See ResponseCapture; only the response cache sets it. */
  cacheCapture?: ResponseCapture;
  /** Where the response is written; only the dispatcher and the server's error renderer write to it. */
  readonly response: ServerResponse;
  /** performance.now() marks for x-jevons-overhead-ms: request read, upstream sent, upstream answered. */
  readonly marks: { received: number; upstreamSent: number; upstreamHeaders: number };
}

/**
 * An abort handle shaped as undici's EventEmitter signal ("signal: AbortSignal | EventEmitter", Dispatcher.request):
 * an AbortController with its EventTarget listeners costs several µs per request on the hot path; this does not.
 */
export interface CallAbort extends NodeJS.EventEmitter {
  readonly aborted: boolean;
  abort(): void;
}

export type Handler = (call: Call) => Promise<void>;
export type Policy = (call: Call, next: () => Promise<void>) => Promise<void>;

/** Onion composition: policies run in array order around the terminal handler. */
export function compose(policies: readonly Policy[], terminal: Handler): Handler {
  return (call) => {
    const run = (index: number): Promise<void> => {
      const policy = policies[index];
      return policy ? policy(call, () => run(index + 1)) : terminal(call);
    };
    return run(0);
  };
}
