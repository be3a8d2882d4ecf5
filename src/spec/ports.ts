/**
 * Storage ports. Policies and the pipeline see only these interfaces; the composition root
 * (server/main.ts) picks implementations (embedded: SQLite + memory; later: Postgres + Redis).
 */
import type { GovernanceEvent, GovernanceEventKind } from './governance.js';
import type { LedgerRow } from './ledger.js';

export interface UsageQuery {
  /** Inclusive lower bound, epoch ms. */
  since?: number;
  /** Exclusive upper bound, epoch ms. */
  until?: number;
  groupBy: 'feature' | 'model' | 'customer' | 'team' | 'app' | 'user' | 'provider' | 'key' | 'day';
  limit?: number;
}

export interface UsageGroup {
  group: string | null;
  requests: number;
  errors: number;
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Rows in the group with no price: their cost is unknown, not zero. */
  unpricedRows: number;
  estimatedRows: number;
  /** Rows answered by the exact / semantic response cache (no upstream call). */
  exactCacheHits: number;
  semanticCacheHits: number;
  /** cost_uncached_usd - cost_total_usd over response-cache hits: what the response caches saved, exactly. */
  responseCacheSavedUsd: number;
  /** The same over upstream calls: what provider prompt caching saved (negative when writes cost more than reads saved). */
  promptCacheSavedUsd: number;
}

export interface LedgerStore {
  /** Appends rows in one transaction: all are written or none. */
  append(rows: readonly LedgerRow[]): Promise<void>;
  usage(query: UsageQuery): Promise<UsageGroup[]>;
  /** Rows of one request, attempts in order. */
  byRequest(requestId: string): Promise<LedgerRow[]>;
  /** Most recent rows first. */
  recent(limit: number): Promise<LedgerRow[]>;
  /** Deletes rows that ended before the cutoff; returns how many. */
  deleteBefore(cutoff: number): Promise<number>;
  close(): Promise<void>;
}

export interface KeyDefaults {
  team: string | null;
  app: string | null;
  feature: string | null;
  customer: string | null;
}

export interface VirtualKey {
  id: string;
  name: string;
  /** First characters of the secret, safe to show (`jv-abc123…`). */
  prefix: string;
  createdAt: number;
  revokedAt: number | null;
  /** Attribution applied to every request made with this key (headers override). */
  defaults: KeyDefaults;
}

export interface KeyStore {
  /** Stores the key with the secret's hash; the secret itself is never stored. */
  create(input: { id: string; name: string; prefix: string; secretHash: string; createdAt: number; defaults: VirtualKey['defaults'] }): Promise<VirtualKey>;
  findByHash(secretHash: string): Promise<VirtualKey | null>;
  list(): Promise<VirtualKey[]>;
  revoke(id: string, at: number): Promise<boolean>;
}

/** Atomic counters for budgets, rate windows and breaker state (used by governance policies). */
/** One counter of an all-or-nothing reservation: add `amount` to `key` only if the result stays within `limit`. */
export interface CounterReservation {
  key: string;
  amount: number;
  /** The counter may not exceed this after the reservation (Infinity = no limit, count only). */
  limit: number;
  /** Expiry set when the counter is created (as for increment). */
  ttlMs?: number;
}

export type ReserveResult = { ok: true; values: number[] } | { ok: false; index: number; value: number };

export interface CounterStore {
  /** Adds delta to the counter and returns the new value; the counter expires after ttlMs if given. */
  increment(key: string, delta: number, ttlMs?: number): Promise<number>;
  get(key: string): Promise<number>;
  /** The values of several counters in one call (0 for unknown ones): one round trip for a rolling window's buckets. */
  getMany(keys: readonly string[]): Promise<number[]>;
  reset(key: string): Promise<void>;
  /**
   * Atomically: if every counter + its amount stays within its limit, adds all amounts and returns the new values;
   * otherwise changes nothing and returns the first reservation that does not fit with that counter's current value.
   * This is what makes concurrent budgets exact: no two requests can both take the last of a balance. A shared
   * store implements it as one transaction (a Redis Lua script).
   */
  reserve(reservations: readonly CounterReservation[]): Promise<ReserveResult>;
  /**
   * Several increments in one call (one round trip: a pipeline or Lua script in a shared store), applied in order;
   * returns the new values in order. Each increment is atomic; the batch as a whole need not be.
   */
  incrementMany(increments: readonly CounterIncrement[]): Promise<number[]>;
  /**
   * The same counters, synchronously, when they live in this process (the memory store). Policies use it when present
   * and skip a promise per operation; a shared store leaves it undefined and is awaited. Same contracts, and since
   * nothing interleaves with a synchronous call, a read followed by a reservation is atomic in this process.
   */
  readonly local?: LocalCounterStore;
}

/** One increment of CounterStore.incrementMany. */
export interface CounterIncrement {
  key: string;
  delta: number;
  /** Expiry set when the counter is created (as for increment). */
  ttlMs?: number;
}

/** The synchronous operations of an in-process CounterStore (CounterStore.local); same semantics as the async ones. */
export interface LocalCounterStore {
  get(key: string): number;
  getMany(keys: readonly string[]): number[];
  incrementMany(increments: readonly CounterIncrement[]): number[];
  reserve(reservations: readonly CounterReservation[]): ReserveResult;
}

/** Response cache storage (used by the caching policies). */
export interface CacheStore {
  get(key: string): Promise<Uint8Array | null>;
  set(key: string, value: Uint8Array, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Which governance events to list: every field given must match; newest first. */
export interface EventQuery {
  /** Inclusive lower bound on `at`, epoch ms. */
  since?: number;
  /** Exclusive upper bound on `at`, epoch ms. */
  until?: number;
  kinds?: readonly GovernanceEventKind[];
  /** Budget, breaker or rate-limit name. */
  name?: string;
  /** Default 1,000. */
  limit?: number;
}

/** Governance events (alerts, blocks, breaker trips, rate-limit refusals) for the dashboard and the CLI. */
export interface EventStore {
  /** Appends events in one transaction: all are written or none. Appending an id already stored is a no-op. */
  append(events: readonly GovernanceEvent[]): Promise<void>;
  list(query: EventQuery): Promise<GovernanceEvent[]>;
  /**
   * Whether an alert event of budget `name` whose `details.alertKey` equals `alertKey` was stored at or after `since`.
   * This is what keeps a threshold from firing twice in one period across a restart.
   */
  alertFired(query: { name: string; alertKey: string; since: number }): Promise<boolean>;
}
