/**
 * Waste and savings, from aggregates the ledger and the event store produce. No number here is estimated: each is a
 * sum of recorded costs, and each kind says which rows it summed (docs/analytics.md).
 *
 * Waste kinds:
 * - `retries`: cost of every attempt of a request except its last (the attempts that were retried), by error code;
 * - `loop_repeats`: cost of the final attempt of requests a breaker event flagged as a repeat (served with action
 *   warn / shadow), by reason; their earlier attempts are already in `retries`;
 * - `breaker_sessions`: spend of the sessions a breaker tripped, recorded before the trip;
 * - `uncached_prefixes`: money lost on cacheable prefixes sent uncached, as the cache findings recorded it.
 * The total leaves out the retry and repeat cost of tripped sessions when the attempts carry their session (it is
 * inside `breaker_sessions` too): `overlapUsd`.
 *
 * Savings kinds: `exact_cache`, `semantic_cache`, `prompt_cache` (each: uncached cost - cost; the prompt cache's can
 * be negative when cache writes cost more than the reads saved) and any other {kind, savedUsd} (routing, ...).
 * The cost breakers stopped is reported beside, not in the savings total: it is the worst-case estimate each block
 * event recorded, not metered spend.
 */
import { roundUsd } from '../pricing/compute-cost.js';

export interface AttemptCost {
  requestId: string;
  attempt: number;
  status: number;
  errorCode: string | null;
  /** Null when unpriced: counted, never summed as 0. */
  costUsd: number | null;
  session?: string | null;
}

export interface RepeatFlag {
  requestId: string;
  /** The breaker kind that flagged it (identical_requests, similar_requests, retry_cap, ...). */
  reason: string;
}

export interface BreakerSession {
  session: string;
  /** Ledger cost of the session's rows started before its first trip. */
  costBeforeTripUsd: number | null;
  trips: number;
  /** Sum of the trip events' costUsd (the worst case of the requests they refused); null when none recorded one. */
  stoppedUsd: number | null;
}

export interface UncachedPrefixLoss {
  day: string;
  prefix: string;
  lostUsd: number;
}

export type CacheKind = 'exact_cache' | 'semantic_cache' | 'prompt_cache';

export interface CacheSavingsAggregate {
  kind: CacheKind;
  rows: number;
  uncachedUsd: number;
  costUsd: number;
}

export interface Saving {
  kind: string;
  savedUsd: number;
  rows?: number;
}

export interface WasteInput {
  attempts?: AttemptCost[];
  repeats?: RepeatFlag[];
  breakerSessions?: BreakerSession[];
  uncachedPrefixes?: UncachedPrefixLoss[];
  cacheSavings?: CacheSavingsAggregate[];
  otherSavings?: Saving[];
}

export interface Breakdown {
  key: string;
  usd: number;
  count: number;
}

export interface KindTotal {
  kind: string;
  usd: number;
  /** Attempts, requests, sessions, prefix records or ledger rows summed (per kind). */
  count: number;
  /** Items left out of the sum because their cost is unknown (unpriced). */
  unpriced: number;
  breakdown: Breakdown[];
}

export interface WasteReport {
  wasteByKind: KindTotal[];
  savingsByKind: KindTotal[];
  stoppedByBreakers: { usd: number; trips: number; sessions: number; unknown: number };
  /** Repeat flags whose request is not among the attempts (no cost to attribute). */
  unmatchedRepeats: number;
  totals: { wasteUsd: number; overlapUsd: number; savedUsd: number };
}

export function wasteReport(input: WasteInput): WasteReport {
  const byRequest = new Map<string, AttemptCost[]>();
  for (const a of input.attempts ?? []) {
    const list = byRequest.get(a.requestId);
    if (list === undefined) byRequest.set(a.requestId, [a]);
    else list.push(a);
  }
  const tripped = new Set((input.breakerSessions ?? []).map((s) => s.session));
  let overlap = 0;
  const retries = new Tally('retries');
  for (const attempts of byRequest.values()) {
    const last = Math.max(...attempts.map((a) => a.attempt));
    for (const a of attempts) {
      if (a.attempt === last) continue;
      retries.add(a.errorCode ?? 'none', a.costUsd);
      if (a.costUsd !== null && a.session != null && tripped.has(a.session)) overlap += a.costUsd;
    }
  }
  const repeats = new Tally('loop_repeats');
  let unmatchedRepeats = 0;
  const reasons = new Map((input.repeats ?? []).map((r) => [r.requestId, r.reason]));
  for (const [requestId, reason] of reasons) {
    const attempts = byRequest.get(requestId);
    const final = attempts?.reduce((a, b) => (b.attempt > a.attempt ? b : a));
    if (final === undefined) {
      unmatchedRepeats++;
      continue;
    }
    repeats.add(reason, final.costUsd);
    if (final.costUsd !== null && final.session != null && tripped.has(final.session)) overlap += final.costUsd;
  }
  const sessions = new Tally('breaker_sessions');
  for (const s of input.breakerSessions ?? []) sessions.add('tripped', s.costBeforeTripUsd);
  const prefixes = new Tally('uncached_prefixes');
  for (const p of input.uncachedPrefixes ?? []) prefixes.add(p.day, p.lostUsd);
  const wasteByKind = [retries, repeats, sessions, prefixes].map((t) => t.result());
  const savingsByKind = savings(input);
  const wasteUsd = wasteByKind.reduce((a, k) => a + k.usd, 0) - overlap;
  return {
    wasteByKind,
    savingsByKind,
    stoppedByBreakers: stopped(input.breakerSessions ?? []),
    unmatchedRepeats,
    totals: { wasteUsd: roundUsd(wasteUsd), overlapUsd: roundUsd(overlap), savedUsd: roundUsd(savingsByKind.reduce((a, k) => a + k.usd, 0)) },
  };
}

function savings(input: WasteInput): KindTotal[] {
  const kinds = new Map<string, Tally>();
  const tally = (kind: string): Tally => {
    const t = kinds.get(kind) ?? new Tally(kind);
    kinds.set(kind, t);
    return t;
  };
  for (const kind of ['exact_cache', 'semantic_cache', 'prompt_cache']) tally(kind);
  for (const c of input.cacheSavings ?? []) tally(c.kind).add(c.kind, c.uncachedUsd - c.costUsd, c.rows);
  for (const s of input.otherSavings ?? []) tally(s.kind).add(s.kind, s.savedUsd, s.rows ?? 1);
  return [...kinds.values()].map((t) => t.result());
}

function stopped(sessions: BreakerSession[]): WasteReport['stoppedByBreakers'] {
  let usd = 0;
  let unknown = 0;
  for (const s of sessions) {
    if (s.stoppedUsd === null) unknown++;
    else usd += s.stoppedUsd;
  }
  return { usd: roundUsd(usd), trips: sessions.reduce((a, s) => a + s.trips, 0), sessions: sessions.length, unknown };
}

/** Sums by breakdown key; a null cost is counted as unpriced and left out of the sums. */
class Tally {
  private readonly keys = new Map<string, { usd: number; count: number }>();
  private unpriced = 0;
  private count = 0;

  constructor(private readonly kind: string) {}

  add(key: string, usd: number | null, count = 1): void {
    this.count += count;
    if (usd === null) {
      this.unpriced += count;
      return;
    }
    const entry = this.keys.get(key) ?? { usd: 0, count: 0 };
    entry.usd += usd;
    entry.count += count;
    this.keys.set(key, entry);
  }

  result(): KindTotal {
    const breakdown = [...this.keys]
      .map(([key, e]) => ({ key, usd: roundUsd(e.usd), count: e.count }))
      .sort((a, b) => b.usd - a.usd || (a.key < b.key ? -1 : 1));
    return { kind: this.kind, usd: roundUsd(breakdown.reduce((a, b) => a + b.usd, 0)), count: this.count, unpriced: this.unpriced, breakdown };
  }
}
