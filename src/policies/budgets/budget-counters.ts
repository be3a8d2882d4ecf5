/**
 * The budget counters behind the CounterStore port: keys, all-or-nothing reservation across every budget of a call,
 * settlement, and the restart restore from the ledger.
 *
 * Keys: `budget:<name>:<scope>:<period start ms>:usd|tokens` for calendar periods (TTL: rest of the period + 1 h),
 * `budget:<name>:<scope>:lifetime:usd|tokens` (no TTL), and for rolling windows one counter per bucket,
 * `budget:<name>:<scope>:rolling:<bucket start ms>:usd|tokens` (TTL: until the bucket has left the window).
 *
 * Rolling windows stay exact: a request reserves in the current bucket with the limit lowered by the sum of the
 * window's other buckets, and the read of those buckets and the reservation run under one in-process lock, so no
 * concurrent request can slip between them. Older buckets only change by settlement (to the metered cost). Across
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
import type { CounterReservation, CounterStore } from '../../spec/ports.js';
import type { Period } from './budget-periods.js';

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
  /** Counter keys of a calendar or lifetime budget, built once per CoveredBudget (keyOf). */
  keys?: Partial<Record<Unit, string>>;
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
  if (bucket !== undefined) return `${covered.base}:${bucket}:${unit}`;
  const keys = (covered.keys ??= {});
  return (keys[unit] ??= `${covered.base}:${unit}`);
};

function ttlOf(covered: CoveredBudget, now: number, bucket?: number): number | undefined {
  if (covered.rolling !== null && bucket !== undefined) return Math.max(1, bucket + covered.rolling.bucketMs * (covered.rolling.starts.length + 1) - now + 60_000);
  if (covered.period.end === Infinity) return undefined;
  return Math.max(1, covered.period.end - now + PERIOD_MARGIN_MS);
}

const limitOf = (config: BudgetConfig, unit: Unit): number | undefined => (unit === 'usd' ? config.limit_usd : config.limit_tokens);

export interface BudgetCounters {
  reserve(covered: readonly CoveredBudget[], amounts: Amounts): Promise<ReserveOutcome>;
  /** Adds (actual - reserved) to every reserved counter; returns each budget's spend afterwards. */
  settle(lines: readonly Line[], actual: Amounts): Promise<Map<CoveredBudget, Amounts>>;
}

export function createBudgetCounters(options: BudgetCountersOptions): BudgetCounters {
  const { counters } = options;
  const restored = new Map<string, Promise<void>>();
  let lockTail: Promise<void> = Promise.resolve();

  /** Serialises rolling-window reservations in this process (see the file comment). */
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

  const restoreAll = (covered: readonly CoveredBudget[]): Promise<unknown> | null => {
    const pending: Array<Promise<void>> = [];
    for (const budget of covered) {
      // The ledger holds what was spent before these counters were counted live, from where the spend counts.
      const live = Math.max(options.createdAt, budget.liveFrom);
      if (budget.rolling === null) {
        const since = Math.max(budget.period.start, budget.countFrom);
        const until = Math.min(budget.period.end, live);
        if (since < until) pending.push(restoreOnce(budget, since, until));
        continue;
      }
      // The window only moves forward: once every bucket that began before `live` was restored, no later window has
      // one that was not.
      if (rollingRestored.has(budget.base)) continue;
      const buckets: Array<Promise<void>> = [];
      for (const start of budget.rolling.starts) {
        const since = Math.max(start, budget.countFrom);
        const until = Math.min(start + budget.rolling.bucketMs, live);
        if (since < until) buckets.push(restoreOnce(budget, since, until, start));
      }
      const base = budget.base;
      if (buckets.length === 0) rollingRestored.add(base);
      else pending.push(Promise.all(buckets).then(() => void rollingRestored.add(base)));
    }
    return pending.length === 0 ? null : Promise.all(pending);
  };

  /**
   * The sum of a rolling window's buckets other than the current one, read once per bucket: within one bucket those
   * only change when a call reserved in an earlier bucket settles, or when a restore fills one, and both drop the
   * cached sum. Reading the 59 other buckets on every request cost ~100 µs (bench/governance.mjs).
   */
  const othersCache = new Map<string, { current: number; sum: number }>();
  const forgetOthers = (covered: CoveredBudget): void => {
    othersCache.delete(`${covered.base}:usd`);
    othersCache.delete(`${covered.base}:tokens`);
  };
  const othersOf = async (covered: CoveredBudget, unit: Unit, current: number): Promise<number> => {
    const rolling = covered.rolling;
    if (rolling === null) return 0;
    const cacheKey = `${covered.base}:${unit}`;
    const cached = othersCache.get(cacheKey);
    if (cached !== undefined && cached.current === current) return cached.sum;
    const keys: string[] = [];
    for (let index = 1; index < rolling.starts.length; index += 1) keys.push(keyOf(covered, unit, current - index * rolling.bucketMs));
    let sum = 0;
    for (const value of await counters.getMany(keys)) sum += value;
    if (othersCache.size >= 10_000) othersCache.clear();
    othersCache.set(cacheKey, { current, sum });
    return sum;
  };
  const otherBuckets = (covered: CoveredBudget, unit: Unit): Promise<number> => othersOf(covered, unit, covered.rolling?.starts[0] ?? 0);

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

  return {
    async reserve(covered, amounts) {
      const restoring = restoreAll(covered);
      if (restoring !== null) await restoring;
      const lines = linesOf(covered, amounts);
      const rolling = lines.some((line) => line.covered.rolling !== null);
      const release = rolling ? await lock() : null;
      let result;
      try {
        for (const line of lines) if (line.covered.rolling !== null) line.others = await otherBuckets(line.covered, line.unit);
        const now = options.now();
        const reservations: CounterReservation[] = lines.map((line) => ({
          key: line.key,
          amount: line.amount,
          // A shadow budget never refuses: it counts, and the policy reports when it would have refused.
          limit: line.covered.config.action === 'shadow' ? Infinity : line.limit - line.others,
          ttlMs: ttlOf(line.covered, now, line.covered.rolling?.starts[0]),
        }));
        result = await counters.reserve(reservations);
      } finally {
        release?.();
      }
      if (result.ok) {
        lines.forEach((line, index) => (line.spent = line.others + (result.values[index] ?? 0)));
        return { ok: true, lines };
      }
      for (let index = 0; index < lines.length; index += 1) {
        const line = lines[index] as Line;
        line.spent = line.others + (index === result.index ? result.value : await counters.get(line.key));
      }
      const refusing = lines.filter((line, index) => line.covered.config.action !== 'shadow' && (index === result.index || line.spent + line.amount > line.limit));
      return { ok: false, lines, refusing };
    },

    async settle(lines, actual) {
      const now = options.now();
      const spent = new Map<CoveredBudget, Amounts>();
      for (const line of lines) {
        const covered = line.covered;
        const bucket = covered.rolling?.starts[0];
        const delta = line.unit === 'usd' ? roundUsd(actual.usd - line.amount) : actual.tokens - line.amount;
        // A counter past its period (or a bucket out of the window) is no longer read: leave it to expire.
        const stale = covered.rolling !== null ? now >= (bucket ?? 0) + covered.rolling.bucketMs * covered.rolling.starts.length : now >= covered.period.end + PERIOD_MARGIN_MS - 1_000;
        let value = 0;
        // Settling into a bucket that is no longer the current one changes a cached window sum.
        if (covered.rolling !== null && delta !== 0 && bucket !== Math.floor(now / covered.rolling.bucketMs) * covered.rolling.bucketMs) forgetOthers(covered);
        if (!stale && delta !== 0) value = await counters.increment(line.key, delta, ttlOf(covered, now, bucket));
        else if (!stale) value = await counters.get(line.key);
        const total = covered.rolling === null ? value : await windowSpend(covered, line.unit, now);
        const entry = spent.get(covered) ?? { usd: 0, tokens: 0 };
        entry[line.unit] = line.unit === 'usd' ? roundUsd(total) : total;
        spent.set(covered, entry);
      }
      return spent;
    },
  };

  /** Spend of a rolling window as of now (the window may have moved since the reservation). */
  async function windowSpend(covered: CoveredBudget, unit: Unit, now: number): Promise<number> {
    const rolling = covered.rolling;
    if (rolling === null) return 0;
    const current = Math.floor(now / rolling.bucketMs) * rolling.bucketMs;
    return (await othersOf(covered, unit, current)) + (await counters.get(keyOf(covered, unit, current)));
  }
}
