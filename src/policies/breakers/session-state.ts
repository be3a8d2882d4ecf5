/**
 * What a breaker remembers per session, in memory and bounded: an LRU of sessions (least recently seen evicted
 * first), a sliding window of calls and cost in WINDOW_BUCKETS buckets, the last request's identity for the
 * identical / near-identical detectors, recent request hashes for the retry cap, and a memo of tool-call keys by
 * call id (agents resend the same calls on every turn; each is hashed once per session).
 */
import { roundUsd } from '../../pricing/index.js';
import type { LoopKind } from './detectors.js';
import type { Shingles } from './similarity.js';

/** A sliding window is kept as this many buckets: its precision is window / WINDOW_BUCKETS. */
export const WINDOW_BUCKETS = 60;
/** Tool-call keys memoised per session; the memo is cleared when it grows past this. */
const MEMO_LIMIT = 4_096;

export type TripKind = LoopKind | 'max_cost' | 'max_calls' | 'max_duration' | 'retry_cap';

export interface Trip {
  kind: TripKind;
  reason: string;
  details: Record<string, unknown>;
  at: number;
  /** Epoch ms when the session is let through again. */
  until: number;
}

interface Bucket {
  start: number;
  calls: number;
  costUsd: number;
}

export interface SessionState {
  readonly breaker: string;
  readonly session: string;
  /** First call of the session (or since it was last idle for a whole window). */
  firstAt: number;
  lastAt: number;
  /** Calls and settled cost over the whole session. */
  calls: number;
  costUsd: number;
  buckets: Bucket[];
  lastHash: string | null;
  /** The previous request was answered (status < 400): a repeat of it is a loop, not a retry. */
  lastServed: boolean;
  identicalRun: number;
  /** The previous request's new content (sampled), and its shingles once computed. */
  lastNewPart: string | null;
  lastNewPartShingles: Shingles | null;
  similarRun: number;
  /** Retry cap: the session's recent requests in arrival order (expired from the front), and counts per hash. */
  recent: { hash: string; at: number }[];
  recentCounts: Map<string, number>;
  trip: Trip | null;
  /** Tool-call id → action / outcome keys. */
  memo: Map<string, { action: string; outcome: string | null }>;
}

export function newSession(breaker: string, session: string, at: number): SessionState {
  return {
    breaker, session, firstAt: at, lastAt: at, calls: 0, costUsd: 0, buckets: [],
    lastHash: null, lastServed: false, identicalRun: 0, lastNewPart: null, lastNewPartShingles: null, similarRun: 0,
    recent: [], recentCounts: new Map(), trip: null, memo: new Map(),
  };
}

/** Drops buckets that left the window. */
function prune(state: SessionState, window: number, now: number): void {
  const from = now - window;
  let drop = 0;
  while (drop < state.buckets.length && (state.buckets[drop]?.start ?? 0) + window / WINDOW_BUCKETS <= from) drop++;
  if (drop > 0) state.buckets.splice(0, drop);
}

/** Calls and cost in the window (or over the whole session when there is no window). */
export function usage(state: SessionState, window: number | undefined, now: number): { calls: number; costUsd: number } {
  if (window === undefined) return { calls: state.calls, costUsd: roundUsd(state.costUsd) };
  prune(state, window, now);
  let calls = 0;
  let costUsd = 0;
  for (const bucket of state.buckets) {
    calls += bucket.calls;
    costUsd += bucket.costUsd;
  }
  return { calls, costUsd: roundUsd(costUsd) };
}

function bucketAt(state: SessionState, window: number, at: number): Bucket {
  const width = window / WINDOW_BUCKETS;
  const start = Math.floor(at / width) * width;
  const last = state.buckets.at(-1);
  if (last !== undefined && last.start === start) return last;
  const found = state.buckets.find((bucket) => bucket.start === start);
  if (found) return found;
  const bucket = { start, calls: 0, costUsd: 0 };
  state.buckets.push(bucket);
  state.buckets.sort((a, b) => a.start - b.start);
  return bucket;
}

export function addCall(state: SessionState, window: number | undefined, at: number): void {
  state.calls++;
  if (window !== undefined) bucketAt(state, window, at).calls++;
}

/** Settled cost of a call received at `at` (it counts in the bucket the call was counted in). */
export function addCost(state: SessionState, window: number | undefined, at: number, usd: number): void {
  if (usd <= 0) return;
  state.costUsd = roundUsd(state.costUsd + usd);
  if (window !== undefined) {
    const width = window / WINDOW_BUCKETS;
    const start = Math.floor(at / width) * width;
    const bucket = state.buckets.find((candidate) => candidate.start === start);
    if (bucket) bucket.costUsd = roundUsd(bucket.costUsd + usd);
  }
}

/** Most requests the retry cap remembers per session (the oldest are forgotten first). */
const RECENT_LIMIT = 1_024;

/** Times this request hash was seen within `within` ms, this one included. Amortised O(1): a FIFO with counts. */
export function recordRetry(state: SessionState, hash: string, within: number, now: number): number {
  const { recent, recentCounts } = state;
  let expired = 0;
  while (expired < recent.length && ((recent[expired]?.at ?? now) <= now - within || recent.length - expired >= RECENT_LIMIT)) {
    const old = recent[expired];
    expired++;
    if (old === undefined) continue;
    const left = (recentCounts.get(old.hash) ?? 1) - 1;
    if (left <= 0) recentCounts.delete(old.hash);
    else recentCounts.set(old.hash, left);
  }
  if (expired > 0) recent.splice(0, expired);
  recent.push({ hash, at: now });
  const count = (recentCounts.get(hash) ?? 0) + 1;
  recentCounts.set(hash, count);
  return count;
}

export function memoKeys(state: SessionState, id: string, compute: () => { action: string; outcome: string | null }): { action: string; outcome: string | null } {
  const found = state.memo.get(id);
  if (found !== undefined && found.outcome !== null) return found;
  const keys = compute();
  if (state.memo.size >= MEMO_LIMIT) state.memo.clear();
  state.memo.set(id, keys);
  return keys;
}

interface LruNode {
  breaker: string;
  session: string;
  state: SessionState;
  /** Toward the least recently seen. */
  older: LruNode | null;
  /** Toward the most recently seen. */
  newer: LruNode | null;
}

/**
 * Sessions by breaker and session id, least recently seen evicted first past the bound (shared by all breakers). A
 * lookup is two map reads (no key string built per request) and a move to the newest end of a linked list (no map
 * write per request).
 */
export class SessionLru {
  private readonly byBreaker = new Map<string, Map<string, LruNode>>();
  private oldest: LruNode | null = null;
  private newest: LruNode | null = null;
  private count = 0;
  constructor(private readonly limit: number) {}

  get(breaker: string, session: string): SessionState | undefined {
    const node = this.byBreaker.get(breaker)?.get(session);
    if (node === undefined) return undefined;
    if (node !== this.newest) {
      this.unlink(node);
      this.append(node);
    }
    return node.state;
  }

  /** Stores (or replaces) a session's state as the most recently seen; evicts the least recently seen past the bound. */
  set(breaker: string, session: string, state: SessionState): void {
    let sessions = this.byBreaker.get(breaker);
    if (sessions === undefined) {
      sessions = new Map();
      this.byBreaker.set(breaker, sessions);
    }
    const known = sessions.get(session);
    if (known !== undefined) {
      this.unlink(known);
      this.count -= 1;
    }
    const node: LruNode = { breaker, session, state, older: null, newer: null };
    sessions.set(session, node);
    this.append(node);
    this.count += 1;
    while (this.count > this.limit && this.oldest !== null) this.remove(this.oldest);
  }

  /** Least recently seen first. */
  *values(): IterableIterator<SessionState> {
    for (let node = this.oldest; node !== null; node = node.newer) yield node.state;
  }

  get size(): number {
    return this.count;
  }

  private remove(node: LruNode): void {
    this.unlink(node);
    this.count -= 1;
    const sessions = this.byBreaker.get(node.breaker);
    sessions?.delete(node.session);
    if (sessions?.size === 0) this.byBreaker.delete(node.breaker);
  }

  private unlink(node: LruNode): void {
    if (node.older === null) this.oldest = node.newer;
    else node.older.newer = node.newer;
    if (node.newer === null) this.newest = node.older;
    else node.newer.older = node.older;
    node.older = null;
    node.newer = null;
  }

  private append(node: LruNode): void {
    node.older = this.newest;
    node.newer = null;
    if (this.newest === null) this.oldest = node;
    else this.newest.newer = node;
    this.newest = node;
  }
}
