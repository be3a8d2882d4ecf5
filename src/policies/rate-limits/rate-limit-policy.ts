/**
 * Rate limits: requests per minute, tokens per minute and USD per hour, per scope value (key, user, feature, customer,
 * ... or one value of them), over a sliding window (sliding-window.ts: two-window weighted approximation, checked and
 * reserved atomically by one CounterStore.reserve for every limit of the request, all or nothing).
 *
 * - requests: 1 per request, kept whatever the outcome.
 * - tokens: reserves the pre-flight estimate (reservationInputTokens + maxOutputTokens × choices), settled after the
 *   call to the tokens the attempts used (input, cache reads and writes, output), 0 when nothing was used.
 * - usd: reserves the estimate's worstCaseUsd, settled to the metered cost. An unpriced call reserves and counts $0.
 * A reservation larger than the limit itself is lowered to the limit: such a request waits for an empty window instead
 * of being refused forever (send max_tokens to reserve less).
 *
 * Every response carries OpenAI's rate-limit headers (x-ratelimit-limit|remaining|reset-requests|tokens) plus the
 * -usd variants, for the most constrained limit of each kind; a refusal is a 429 `rate_limited` naming the limit and
 * scope, with retry-after (s) and retry-after-ms. Reference: docs/governance.md "Rate limits".
 */
import type { Call, Policy } from '../../pipeline/call.js';
import type { RateLimitConfig } from '../../spec/config/governance-schema.js';
import { GatewayError } from '../../spec/errors.js';
import type { GovernanceEvent } from '../../spec/governance.js';
import type { CounterIncrement, CounterReservation, CounterStore } from '../../spec/ports.js';
import type { CostEstimate } from '../estimate-cost.js';
import { scopeOf, scopeResolver, type ScopedRule, type ScopeMatch } from '../governance-scope.js';
import { effectiveLimit, formatResetDuration, msUntilFits, msUntilReset, previousWeight, windowIndex } from './sliding-window.js';

export interface RateLimitPolicyOptions {
  limits: readonly RateLimitConfig[];
  counters: CounterStore;
  estimate: (call: Call) => CostEstimate;
  recordEvent: (event: GovernanceEvent) => void;
  now: () => number;
  newId: () => string;
}

type Kind = 'requests' | 'tokens' | 'usd';

interface Meter {
  kind: Kind;
  limit: number;
  windowMs: number;
  /** The config key, for messages: requests_per_minute, ... */
  field: string;
  /** Counter key prefix up to the scope: `rl:<name>:<kind>:`. */
  prefix: string;
}

interface Rule {
  name: string;
  scoped: ScopedRule;
  meters: Meter[];
  resolve: (call: Call) => ScopeMatch | null;
  /** Counter keys per scope value, one entry per meter (see keysOf). */
  keys: Map<string, MeterKeys[]>;
}

/** A meter's counter keys for one scope value in its current fixed window: built once per window, not per request. */
interface MeterKeys {
  bucket: number;
  key: string;
  previousKey: string;
}

/** One counter this request reserved in. */
interface Held {
  rule: Rule;
  meter: Meter;
  scope: string;
  key: string;
  bucket: number;
  previous: number;
  weight: number;
  amount: number;
}

const usdRound = (usd: number): number => Math.round(usd * 1e12) / 1e12;

function rulesOf(limits: readonly RateLimitConfig[]): Rule[] {
  const seen = new Set<string>();
  return limits.map((limit, index) => {
    if (seen.has(limit.name)) throw new Error(`rate_limits[${index}].name: "${limit.name}" is used by another rate limit; names must be unique`);
    seen.add(limit.name);
    const meters: Meter[] = [];
    const add = (kind: Kind, value: number | undefined, windowMs: number, field: string) => {
      if (value !== undefined) meters.push({ kind, limit: value, windowMs, field, prefix: `rl:${limit.name}:${kind}:` });
    };
    add('requests', limit.requests_per_minute, 60_000, 'requests_per_minute');
    add('tokens', limit.tokens_per_minute, 60_000, 'tokens_per_minute');
    add('usd', limit.usd_per_hour, 3_600_000, 'usd_per_hour');
    const scoped = scopeOf(limit.scope);
    return { name: limit.name, scoped, meters, resolve: scopeResolver(scoped), keys: new Map() };
  });
}

/** Tokens and USD the call's attempts actually used. */
function usedBy(call: Call): { tokens: number; usd: number } {
  let tokens = 0;
  let usd = 0;
  for (const attempt of call.attempts) {
    const usage = attempt.usage;
    if (usage !== null) tokens += usage.inputTokens + usage.cacheReadTokens + usage.cacheWrite5mTokens + usage.cacheWrite1hTokens + usage.outputTokens;
    if (attempt.cost !== null) usd += attempt.cost.totalUsd;
  }
  return { tokens, usd: usdRound(usd) };
}

const formatAmount = (kind: Kind, value: number): string => (kind === 'usd' ? String(Math.max(0, Math.round(value * 1e6) / 1e6)) : String(Math.max(0, Math.floor(value))));

interface HeaderState {
  remaining: number;
  limit: number;
  resetMs: number;
}

function headerState(held: Held, current: number, at: number): HeaderState {
  const { meter, previous, weight } = held;
  return { limit: meter.limit, remaining: meter.limit - current - previous * weight, resetMs: msUntilReset({ current, previous, at, windowMs: meter.windowMs }) };
}

/** Header names per kind, built once (not a template string per response). */
const headerNames = Object.fromEntries(
  (['requests', 'tokens', 'usd'] as const).map((kind) => [kind, { limit: `x-ratelimit-limit-${kind}`, remaining: `x-ratelimit-remaining-${kind}`, reset: `x-ratelimit-reset-${kind}` }]),
) as Record<Kind, { limit: string; remaining: string; reset: string }>;

const kinds: readonly Kind[] = ['requests', 'tokens', 'usd'];

function writeHeaders(target: { setHeader(name: string, value: string): unknown }, kind: Kind, state: HeaderState): void {
  const names = headerNames[kind];
  target.setHeader(names.limit, String(state.limit));
  target.setHeader(names.remaining, formatAmount(kind, state.remaining));
  target.setHeader(names.reset, formatResetDuration(state.resetMs));
}

function refusal(options: { held: Held; current: number; at: number; call: Call; estimate: CostEstimate | null; newId: () => string }): { error: GatewayError; event: GovernanceEvent } {
  const { held, current, at, call } = options;
  const { meter, rule } = held;
  const retryMs = msUntilFits({ current, previous: held.previous, at, windowMs: meter.windowMs, limit: meter.limit }, held.amount) ?? meter.windowMs;
  const retrySeconds = Math.max(1, Math.ceil(retryMs / 1000));
  const used = current + held.previous * held.weight;
  const scopeText = held.scope === '' ? 'global' : held.scope;
  const message = `Rate limit "${rule.name}" (${scopeText}) reached: ${meter.field} ${meter.limit}, used ${formatAmount(meter.kind, used)} in the last ${meter.windowMs === 60_000 ? 'minute' : 'hour'}, this request needs ${formatAmount(meter.kind, held.amount)}. Retry in ${retrySeconds}s.`;
  const headers: Record<string, string> = { 'retry-after': String(retrySeconds), 'retry-after-ms': String(Math.max(0, retryMs)) };
  writeHeaders({ setHeader: (name, value) => (headers[name] = value) }, meter.kind, headerState(held, current, at));
  const details = { rate_limit: rule.name, scope: held.scope, limit: meter.field, limit_value: meter.limit, used: Number(formatAmount(meter.kind, used)), requested: held.amount, retry_after_ms: retryMs };
  const error = new GatewayError({ code: 'rate_limited', message, headers, details });
  const event: GovernanceEvent = {
    id: options.newId(),
    at,
    kind: 'rate_limited',
    name: rule.name,
    scope: held.scope,
    session: call.attribution.session,
    requestId: call.requestId,
    reason: message,
    costUsd: options.estimate?.worstCaseUsd ?? null,
    details,
  };
  return { error, event };
}

/** Scope values whose keys a rule remembers; past this the memo starts again. */
const KEYS_LIMIT = 10_000;

/** The rule's counter keys for a scope value at `at`, rebuilt only when a meter's window has moved. */
function keysOf(rule: Rule, scope: string, at: number): MeterKeys[] {
  let keys = rule.keys.get(scope);
  if (keys === undefined) {
    if (rule.keys.size >= KEYS_LIMIT) rule.keys.clear();
    keys = rule.meters.map(() => ({ bucket: Number.NaN, key: '', previousKey: '' }));
    rule.keys.set(scope, keys);
  }
  for (let index = 0; index < rule.meters.length; index += 1) {
    const meter = rule.meters[index] as Meter;
    const entry = keys[index] as MeterKeys;
    const bucket = windowIndex(at, meter.windowMs);
    if (entry.bucket === bucket) continue;
    entry.bucket = bucket;
    entry.key = `${meter.prefix}${scope}:${bucket}`;
    entry.previousKey = `${meter.prefix}${scope}:${bucket - 1}`;
  }
  return keys;
}

export function rateLimits(options: RateLimitPolicyOptions): Policy {
  const rules = rulesOf(options.limits);
  const { counters } = options;
  const local = counters.local;

  /** Synchronous with an in-process store; a promise only when a shared store is awaited. */
  const settle = (call: Call, holds: readonly Held[], estimate: CostEstimate | null): Promise<number[]> | undefined => {
    if (estimate === null) return undefined;
    const used = usedBy(call);
    const at = options.now();
    const increments: CounterIncrement[] = [];
    for (const held of holds) {
      if (held.meter.kind === 'requests') continue;
      const delta = held.meter.kind === 'tokens' ? used.tokens - held.amount : usdRound(used.usd - held.amount);
      // A window older than the previous one no longer counts: nothing to correct.
      if (delta === 0 || windowIndex(at, held.meter.windowMs) - held.bucket > 1) continue;
      increments.push({ key: held.key, delta, ttlMs: 2 * held.meter.windowMs });
    }
    if (increments.length === 0) return undefined;
    if (local === undefined) return counters.incrementMany(increments);
    local.incrementMany(increments);
    return undefined;
  };

  return async function rateLimits(call, next) {
    const at = options.now();
    const holds: Held[] = [];
    const previousKeys: string[] = [];
    let needsEstimate = false;
    for (const rule of rules) {
      const scope = rule.resolve(call)?.scope ?? null;
      if (scope === null) continue;
      const keys = keysOf(rule, scope, at);
      for (let index = 0; index < rule.meters.length; index += 1) {
        const meter = rule.meters[index] as Meter;
        const { bucket, key, previousKey } = keys[index] as MeterKeys;
        if (meter.kind !== 'requests') needsEstimate = true;
        holds.push({ rule, meter, scope, key, bucket, previous: 0, weight: previousWeight(at, meter.windowMs), amount: 1 });
        previousKeys.push(previousKey);
      }
    }
    if (holds.length === 0) return next();
    const estimate = needsEstimate ? options.estimate(call) : null;
    // The previous windows' counts, in one store call.
    const previous = local !== undefined ? local.getMany(previousKeys) : await counters.getMany(previousKeys);
    const reservations: CounterReservation[] = [];
    for (let index = 0; index < holds.length; index += 1) {
      const held = holds[index] as Held;
      const { meter } = held;
      if (meter.kind === 'tokens' && estimate !== null) held.amount = Math.min(meter.limit, estimate.reservationInputTokens + estimate.maxOutputTokens * estimate.choices);
      if (meter.kind === 'usd') held.amount = Math.min(meter.limit, estimate?.worstCaseUsd ?? 0);
      held.previous = previous[index] ?? 0;
      reservations.push({ key: held.key, amount: held.amount, limit: effectiveLimit(meter.limit, held.previous, held.weight), ttlMs: 2 * meter.windowMs });
    }
    const result = local !== undefined ? local.reserve(reservations) : await counters.reserve(reservations);
    if (!result.ok) {
      const held = holds[result.index] as Held;
      const { error, event } = refusal({ held, current: result.value, at, call, estimate, newId: options.newId });
      options.recordEvent(event);
      throw error;
    }
    // The most constrained limit of each kind goes in the headers (the first one on a tie).
    for (const kind of kinds) {
      let chosenState: HeaderState | null = null;
      for (let index = 0; index < holds.length; index += 1) {
        const held = holds[index] as Held;
        if (held.meter.kind !== kind) continue;
        const state = headerState(held, result.values[index] ?? 0, at);
        if (chosenState === null || state.remaining / state.limit < chosenState.remaining / chosenState.limit) chosenState = state;
      }
      if (chosenState !== null) writeHeaders(call.response, kind, chosenState);
    }
    try {
      await next();
    } finally {
      const settling = settle(call, holds, estimate);
      if (settling !== undefined) await settling;
    }
  };
}
