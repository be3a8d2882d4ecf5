/**
 * The sum of a rolling window's buckets other than the current one, read once per bucket: within one bucket those
 * only change when a call reserved in an earlier bucket settles, or when a restore fills one, and both drop the
 * cached sum (forget). Reading the 59 other buckets on every request cost ~100 µs (bench/governance.mjs).
 */
import type { CounterStore, LocalCounterStore } from '../../spec/ports.js';
import { keyOf, type CoveredBudget, type Unit } from './budget-counters.js';

/** Rolling budgets (by base key) whose window sums are remembered; past this the memo starts again. */
const SUMS_LIMIT = 10_000;

export interface WindowSums {
  /** Drops the remembered sums of a budget's window (both units). */
  forget(covered: CoveredBudget): void;
  /** The sum of the other buckets for the window whose current bucket starts at `current`, from an in-process store. */
  local(store: LocalCounterStore, covered: CoveredBudget, unit: Unit, current: number): number;
  /** The same, from any store (in-process when it has `local`). */
  of(covered: CoveredBudget, unit: Unit, current: number): Promise<number>;
}

export function createWindowSums(counters: CounterStore): WindowSums {
  const sums = new Map<string, Partial<Record<Unit, { current: number; sum: number }>>>();

  const cached = (covered: CoveredBudget, unit: Unit, current: number): number | undefined => {
    const entry = sums.get(covered.base)?.[unit];
    return entry !== undefined && entry.current === current ? entry.sum : undefined;
  };
  const otherKeys = (covered: CoveredBudget, rolling: NonNullable<CoveredBudget['rolling']>, unit: Unit, current: number): string[] => {
    const keys: string[] = [];
    for (let index = 1; index < rolling.starts.length; index += 1) keys.push(keyOf(covered, unit, current - index * rolling.bucketMs));
    return keys;
  };
  const remember = (covered: CoveredBudget, unit: Unit, current: number, values: readonly number[]): number => {
    let sum = 0;
    for (const value of values) sum += value;
    let entry = sums.get(covered.base);
    if (entry === undefined) {
      if (sums.size >= SUMS_LIMIT) sums.clear();
      entry = {};
      sums.set(covered.base, entry);
    }
    entry[unit] = { current, sum };
    return sum;
  };

  const local = (store: LocalCounterStore, covered: CoveredBudget, unit: Unit, current: number): number => {
    const rolling = covered.rolling;
    if (rolling === null) return 0;
    return cached(covered, unit, current) ?? remember(covered, unit, current, store.getMany(otherKeys(covered, rolling, unit, current)));
  };

  return {
    forget: (covered) => void sums.delete(covered.base),
    local,
    async of(covered, unit, current) {
      const rolling = covered.rolling;
      if (rolling === null) return 0;
      if (counters.local !== undefined) return local(counters.local, covered, unit, current);
      return cached(covered, unit, current) ?? remember(covered, unit, current, await counters.getMany(otherKeys(covered, rolling, unit, current)));
    },
  };
}
