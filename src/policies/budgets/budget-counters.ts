/**
 * The budget counters behind the CounterStore port: keys, all-or-nothing reservation across every budget of a call,
 * settlement, and the restart restore from the ledger.
 *
 * Keys: `budget:<name>:<scope>:<period start ms>:usd|tokens` for calendar periods (TTL: rest of the period + 1 h),
 * `budget:<name>:<scope>:lifetime:usd|tokens` (no TTL), and for rolling windows one counter per bucket,
 * `budget:<name>:<scope>:rolling:<bucket start ms>:usd|tokens` (TTL: until the bucket has left the window).
 *
 * Rolling windows stay exact: a request reserves in the current bucket with the limit lowered by the sum of the
 * window's other buckets, and the read of those buckets and the reservation run with nothing in between (one
 * synchronous step with an in-process store, CounterStore.local; under an in-process lock with an asynchronous one),
 * so no concurrent request can slip between them. Older buckets only change by settlement (to the metered cost). Across
 * processes sharing a store the read and the reservation are two steps: exact rolling windows there need a store-side
 * windowed reservation (a Lua script summing the buckets); calendar and lifetime budgets are exact either way.
 *
 * `jevons budgets reset` and an override that limits a unit the budget did not count move a budget to fresh counters
 * (a suffix on the base key): the ledger's spend from `countFrom` to when this process moved fills them in once, then
 * they count live, exactly like a period that began before the process started.
 */
import { roundUsd } from '../../pricing/index.js';
import type { BudgetConfig } from '../../spec/config/governance-schema.js';
import type { SpendQuery } from '../../spec/governance.js';
import type { CounterIncrement, CounterReservation, CounterStore, LocalCounterStore, ReserveResult } from '../../spec/ports.js';
import type { Period } from './budget-periods.js';
import { createWindowSums } from './window-sums.js';

export type Unit = 'usd' | 'tokens';

export interface Amounts {
  usd: number;
  tokens: number;
}

/** One budget covering one call: the budget, the call's scope value and the period in force. */
export interface CoveredBudget {
  config: BudgetConfig;
  scope: string;
  match: SpendQuery['match'];
  /** Calendar period, lifetime (0 .. Infinity) or, for a rolling window, now - window .. now. */
  period: Period;
  /**
   * `budget:<name>:<scope>:<period>`, plus `:r<reset ms>` after a `budgets reset` and `:u<ms>` once an override added
   * a unit; counter keys append `:usd` / `:tokens` (rolling: `:<bucket>:usd`).
   */
  base: string;
  /** The units counted: those with a limit, and any unit an override has limited in this process. */
  units: readonly Unit[];
  /** Spend counts from here (a reset inside the period); below the period start it changes nothing. */
  countFrom: number;
  /** The counters of `base` were counted live from here (when this process entered them): the ledger fills in before. */
  liveFrom: number;
  /** Rolling windows: bucket length and the window's bucket starts, newest (current) first. */
  rolling: { bucketMs: number; starts: readonly number[] } | null;
  /** The `budgets reset` instant this coverage counts from, null without one (whether a cached coverage is current). */
  resetMark: number | null;
  /** Counter keys of a calendar or lifetime budget, or of a rolling window's current bucket: built once (keyOf). */
  keys?: Partial<Record<Unit, string>>;
  /** Set once the ledger restore this coverage needs is done: later reservations skip the check. */
  restored?: boolean;
}

/** One counter of a reservation. `spent` is the budget's spend after the reservation, or before a refused one. */
export interface Line {
  covered: CoveredBudget;
  unit: Unit;
  key: string;
  amount: number;
  limit: number;
  /** Rolling: the sum of the window's other buckets, read under the lock; 0 otherwise. */
  others: number;
  spent: number;
}

export type ReserveOutcome = { ok: true; lines: Line[] } | { ok: false; lines: Line[]; refusing: Line[] };

export interface BudgetCountersOptions {
  counters: CounterStore;
  restore: (query: SpendQuery) => Promise<{ usd: number; tokens: number }>;
  now: () => number;
  /** When this process began counting: ledger rows before it were written by an earlier process. */
  createdAt: number;
}

/** Settlement of a calendar counter stops this long after its period ended (the counter is gone by then). */
const PERIOD_MARGIN_MS = 3_600_000;

export const keyOf = (covered: CoveredBudget, unit: Unit, bucket?: number): string => {
  const cached = covered.rolling === null ? bucket === undefined : bucket === covered.rolling.starts[0];
  const known = cached ? covered.keys?.[unit] : undefined;
  if (known !== undefined) return known;
  const key = bucket === undefined ? `${covered.base}:${unit}` : `${covered.base}:${bucket}:${unit}`;
  if (cached) (covered.keys ??= {})[unit] = key;
  return key;
};

function ttlOf(covered: CoveredBudget, now: number, bucket?: number): number | undefined {
  if (covered.rolling !== null && bucket !== undefined) return Math.max(1, bucket + covered.rolling.bucketMs * (covered.rolling.starts.length + 1) - now + 60_000);
  if (covered.period.end === Infinity) return undefined;
  return Math.max(1, covered.period.end - now + PERIOD_MARGIN_MS);
}

const limitOf = (config: BudgetConfig, unit: Unit): number | undefined => (unit === 'usd' ? config.limit_usd : config.limit_tokens);

export interface BudgetCounters {
  /** Synchronous (no promise) when the counter store is in this process and no restore is pending. */
  reserve(covered: readonly CoveredBudget[], amounts: Amounts): ReserveOutcome | Promise<ReserveOutcome>;
  /** Adds (actual - reserved) to every reserved counter; returns each budget's spend afterwards (synchronously with an in-process store). */
  settle(lines: readonly Line[], actual: Amounts): Map<CoveredBudget, Amounts> | Promise<Map<CoveredBudget, Amounts>>;
}

export function createBudgetCounters(options: BudgetCountersOptions): BudgetCounters {
  const { counters } = options;
  const local = counters.local;
  const restored = new Map<string, Promise<void>>();
  let lockTail: Promise<void> = Promise.resolve();

  /** Serialises rolling-window reservations in this process when the store is asynchronous (see the file comment). */
  const lock = async (): Promise<() => void> => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const previous = lockTail;
    lockTail = previous.then(() => held);
    await previous;
    return release;
  };

  /** Adds the ledger's spend of [since, until) to counters; once per key in this process, and once per shared store. */
  const restoreOnce = (covered: CoveredBudget, since: number, until: number, bucket?: number): Promise<void> => {
    const memo = bucket === undefined ? covered.base : `${covered.base}:${bucket}`;
    let pending = restored.get(memo);
    if (pending === undefined) {
      pending = (async () => {
        const now = options.now();
        const ttlMs = ttlOf(covered, now, bucket);
        // A counter store that outlived this process (a shared one) already holds the spend: the marker says so.
        if ((await counters.increment(`${memo}:restored`, 1, ttlMs)) !== 1) return;
        const spend = await options.restore({ since, until, match: covered.match });
        for (const unit of covered.units) {
          const amount = unit === 'usd' ? roundUsd(spend.usd) : spend.tokens;
          if (amount > 0) await counters.increment(keyOf(covered, unit, bucket), amount, ttlMs);
        }
        if (bucket !== undefined) forgetOthers(covered);
      })();
      pending.catch(() => restored.delete(memo));
      restored.set(memo, pending);
    }
    return pending;
  };

  /** Rolling budgets whose buckets from before this process are all restored: later windows need nothing more. */
  const rollingRestored = new Set<string>();

  /** The restores a coverage needs (null: none left); a coverage whose restore is done is flagged and skipped. */
  const restoreOf = (budget: CoveredBudget): Promise<unknown> | null => {
    // The ledger holds what was spent before these counters were counted live, from where the spend counts.
    const live = Math.max(options.createdAt, budget.liveFrom);
    if (budget.rolling === null) {
      const since = Math.max(budget.period.start, budget.countFrom);
      const until = Math.min(budget.period.end, live);
      return since < until ? restoreOnce(budget, since, until) : null;
    }
    // The window only moves forward: once every bucket that began before `live` was restored, no later window has
    // one that was not.
    if (rollingRestored.has(budget.base)) return null;
    const buckets: Array<Promise<void>> = [];
    for (const start of budget.rolling.starts) {
      const since = Math.max(start, budget.countFrom);
      const until = Math.min(start + budget.rolling.bucketMs, live);
      if (since < until) buckets.push(restoreOnce(budget, since, until, start));
    }
    const base = budget.base;
    if (buckets.length === 0) {
      rollingRestored.add(base);
      return null;
    }
    return Promise.all(buckets).then(() => void rollingRestored.add(base));
  };

  const restoreAll = (covered: readonly CoveredBudget[]): Promise<unknown> | null => {
    let pending: Array<Promise<unknown>> | null = null;
    for (const budget of covered) {
      if (budget.restored === true) continue;
      const restoring = restoreOf(budget);
      if (restoring === null) budget.restored = true;
      else (pending ??= []).push(restoring.then(() => void (budget.restored = true)));
    }
    return pending === null ? null : Promise.all(pending);
  };

  const others = createWindowSums(counters);
  const forgetOthers = others.forget;
  const othersLocal = others.local;
  const othersOf = others.of;

  const linesOf = (covered: readonly CoveredBudget[], amounts: Amounts): Line[] => {
    const lines: Line[] = [];
    for (const budget of covered) {
      for (const unit of budget.units) {
        const bucket = budget.rolling?.starts[0];
        lines.push({ covered: budget, unit, key: keyOf(budget, unit, bucket), amount: amounts[unit], limit: limitOf(budget.config, unit) ?? Infinity, others: 0, spent: 0 });
      }
    }
    return lines;
  };

  const reservationsOf = (lines: readonly Line[]): CounterReservation[] => {
    const now = options.now();
    return lines.map((line) => ({
      key: line.key,
      amount: line.amount,
      // A shadow budget never refuses: it counts, and the policy reports when it would have refused.
      limit: line.covered.config.action === 'shadow' ? Infinity : line.limit - line.others,
      ttlMs: ttlOf(line.covered, now, line.covered.rolling?.starts[0]),
    }));
  };

  const outcomeOf = (lines: Line[], result: ReserveResult, current: readonly number[] | null): ReserveOutcome => {
    if (result.ok) {
      lines.forEach((line, index) => (line.spent = line.others + (result.values[index] ?? 0)));
      return { ok: true, lines };
    }
    lines.forEach((line, index) => (line.spent = line.others + (index === result.index ? result.value : (current?.[index] ?? 0))));
    const refusing = lines.filter((line, index) => line.covered.config.action !== 'shadow' && (index === result.index || line.spent + line.amount > line.limit));
    return { ok: false, lines, refusing };
  };

  /** In-process store: the window reads and the reservation run with nothing in between, so no lock is needed. */
  const reserveLocal = (store: LocalCounterStore, covered: readonly CoveredBudget[], amounts: Amounts): ReserveOutcome => {
    const lines = linesOf(covered, amounts);
    for (const line of lines) if (line.covered.rolling !== null) line.others = othersLocal(store, line.covered, line.unit, line.covered.rolling.starts[0] ?? 0);
    const result = store.reserve(reservationsOf(lines));
    return outcomeOf(lines, result, result.ok ? null : store.getMany(lines.map((line) => line.key)));
  };

  const reserveAsync = async (restoring: Promise<unknown> | null, covered: readonly CoveredBudget[], amounts: Amounts): Promise<ReserveOutcome> => {
    if (restoring !== null) await restoring;
    if (local !== undefined) return reserveLocal(local, covered, amounts);
    const lines = linesOf(covered, amounts);
    const release = lines.some((line) => line.covered.rolling !== null) ? await lock() : null;
    let result: ReserveResult;
    try {
      for (const line of lines) if (line.covered.rolling !== null) line.others = await othersOf(line.covered, line.unit, line.covered.rolling.starts[0] ?? 0);
      result = await counters.reserve(reservationsOf(lines));
    } finally {
      release?.();
    }
    return outcomeOf(lines, result, result.ok ? null : await counters.getMany(lines.map((line) => line.key)));
  };

  return {
    reserve(covered, amounts) {
      const restoring = restoreAll(covered);
      return restoring === null && local !== undefined ? reserveLocal(local, covered, amounts) : reserveAsync(restoring, covered, amounts);
    },

    settle(lines, actual) {
      const now = options.now();
      const increments: CounterIncrement[] = [];
      const reads: string[] = [];
      /** Per line: where its counter's value comes from: index + 1 in increments, -(index + 1) in reads, 0 when stale. */
      const sources: number[] = [];
      for (const line of lines) {
        const covered = line.covered;
        const bucket = covered.rolling?.starts[0];
        const delta = line.unit === 'usd' ? roundUsd(actual.usd - line.amount) : actual.tokens - line.amount;
        // A counter past its period (or a bucket out of the window) is no longer read: leave it to expire.
        const stale = covered.rolling !== null ? now >= (bucket ?? 0) + covered.rolling.bucketMs * covered.rolling.starts.length : now >= covered.period.end + PERIOD_MARGIN_MS - 1_000;
        // Settling into a bucket that is no longer the current one changes a cached window sum.
        if (covered.rolling !== null && delta !== 0 && bucket !== currentBucket(covered, now)) forgetOthers(covered);
        if (stale) sources.push(0);
        else if (delta !== 0) sources.push(increments.push({ key: line.key, delta, ttlMs: ttlOf(covered, now, bucket) }));
        else sources.push(-reads.push(line.key));
      }
      const valueOf = (index: number, incremented: readonly number[], read: readonly number[]): number => {
        const source = sources[index] ?? 0;
        return source > 0 ? (incremented[source - 1] ?? 0) : source < 0 ? (read[-source - 1] ?? 0) : 0;
      };
      if (local !== undefined) {
        const incremented = increments.length === 0 ? [] : local.incrementMany(increments);
        const read = reads.length === 0 ? [] : local.getMany(reads);
        return spentOf(lines, (line, index) => {
          const value = valueOf(index, incremented, read);
          return line.covered.rolling === null ? value : windowSpendLocal(local, line, sources[index] === 0 ? null : value, now);
        });
      }
      return (async () => {
        const incremented = increments.length === 0 ? [] : await counters.incrementMany(increments);
        const read = reads.length === 0 ? [] : await counters.getMany(reads);
        const totals: number[] = [];
        for (let index = 0; index < lines.length; index += 1) {
          const line = lines[index] as Line;
          const value = valueOf(index, incremented, read);
          totals.push(line.covered.rolling === null ? value : await windowSpend(line, sources[index] === 0 ? null : value, now));
        }
        return spentOf(lines, (_line, index) => totals[index] ?? 0);
      })();
    },
  };

  /**
   * Spend of a rolling window as of now (the window may have moved since the reservation). `value` is the line's
   * counter after settlement: when that bucket is still the current one, it is the current bucket's count.
   */
  function windowSpendLocal(store: LocalCounterStore, line: Line, value: number | null, now: number): number {
    const covered = line.covered;
    const current = currentBucket(covered, now);
    const counted = value !== null && current === covered.rolling?.starts[0];
    return othersLocal(store, covered, line.unit, current) + (counted ? value : store.get(keyOf(covered, line.unit, current)));
  }

  async function windowSpend(line: Line, value: number | null, now: number): Promise<number> {
    const covered = line.covered;
    const current = currentBucket(covered, now);
    const counted = value !== null && current === covered.rolling?.starts[0];
    return (await othersOf(covered, line.unit, current)) + (counted ? value : await counters.get(keyOf(covered, line.unit, current)));
  }
}

/** Each covered budget's spend after settlement, from every line's total (rounded for USD). */
function spentOf(lines: readonly Line[], totalOf: (line: Line, index: number) => number): Map<CoveredBudget, Amounts> {
  const spent = new Map<CoveredBudget, Amounts>();
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] as Line;
    const total = totalOf(line, index);
    const entry = spent.get(line.covered) ?? { usd: 0, tokens: 0 };
    entry[line.unit] = line.unit === 'usd' ? roundUsd(total) : total;
    spent.set(line.covered, entry);
  }
  return spent;
}

/** Start of the rolling window's bucket `now` falls in. */
const currentBucket = (covered: CoveredBudget, now: number): number => (covered.rolling === null ? 0 : Math.floor(now / covered.rolling.bucketMs) * covered.rolling.bucketMs);
