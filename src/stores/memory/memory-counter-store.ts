import type { CounterStore } from '../../spec/ports.js';

export interface MemoryCounterStoreOptions {
  /** Epoch milliseconds; injected so expiry is deterministic in tests. */
  now: () => number;
  /** How often (by the injected clock) expired counters are swept from memory. Default 60 s. */
  sweepIntervalMs?: number;
}

/** The in-process CounterStore, plus the number of counters held (for tests and metrics). */
export interface MemoryCounterStore extends CounterStore {
  readonly size: number;
}

interface Counter {
  value: number;
  /** Epoch ms after which the counter reads as 0; null = never expires. */
  expiresAt: number | null;
}

function checkFinite(name: string, value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite number, got ${value}`);
}

/**
 * Counters for budgets, rate windows and breaker state in one process. Single-threaded JavaScript makes each
 * increment atomic. Expiry follows Redis `INCRBYFLOAT` + `PEXPIRE … NX`: the TTL is set when the counter is
 * created (or first given a TTL) and is NOT extended by later increments, so a counter keyed by window is a
 * fixed window. Expired counters read as 0 and are swept periodically so idle keys do not accumulate.
 */
export function createMemoryCounterStore(options: MemoryCounterStoreOptions): MemoryCounterStore {
  const counters = new Map<string, Counter>();
  const sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
  let nextSweepAt = options.now() + sweepIntervalMs;

  const isExpired = (counter: Counter, now: number) => counter.expiresAt !== null && counter.expiresAt <= now;

  const live = (key: string, now: number): Counter | undefined => {
    if (now >= nextSweepAt) {
      for (const [name, counter] of counters) if (isExpired(counter, now)) counters.delete(name);
      nextSweepAt = now + sweepIntervalMs;
    }
    const counter = counters.get(key);
    if (counter === undefined || !isExpired(counter, now)) return counter;
    counters.delete(key);
    return undefined;
  };

  return {
    async increment(key, delta, ttlMs) {
      checkFinite('delta', delta);
      if (ttlMs !== undefined && !(ttlMs > 0)) throw new RangeError(`ttlMs must be a positive number, got ${ttlMs}`);
      const now = options.now();
      const expiresAt = ttlMs === undefined ? null : now + ttlMs;
      const counter = live(key, now);
      if (counter === undefined) {
        counters.set(key, { value: delta, expiresAt });
        return delta;
      }
      counter.value += delta;
      counter.expiresAt ??= expiresAt;
      return counter.value;
    },
    async get(key) {
      return live(key, options.now())?.value ?? 0;
    },
    async getMany(keys) {
      const now = options.now();
      return keys.map((key) => live(key, now)?.value ?? 0);
    },
    async reserve(reservations) {
      const now = options.now();
      for (const reservation of reservations) {
        checkFinite('amount', reservation.amount);
        if (reservation.ttlMs !== undefined && !(reservation.ttlMs > 0)) throw new RangeError(`ttlMs must be a positive number, got ${reservation.ttlMs}`);
      }
      // Check everything first, then apply: nothing awaits in between, so this is atomic in one process.
      for (let index = 0; index < reservations.length; index += 1) {
        const reservation = reservations[index] as (typeof reservations)[number];
        const value = live(reservation.key, now)?.value ?? 0;
        if (value + reservation.amount > reservation.limit) return { ok: false, index, value };
      }
      const values = reservations.map((reservation) => {
        const counter = live(reservation.key, now);
        if (counter === undefined) {
          counters.set(reservation.key, { value: reservation.amount, expiresAt: reservation.ttlMs === undefined ? null : now + reservation.ttlMs });
          return reservation.amount;
        }
        counter.value += reservation.amount;
        counter.expiresAt ??= reservation.ttlMs === undefined ? null : now + reservation.ttlMs;
        return counter.value;
      });
      return { ok: true, values };
    },
    async reset(key) {
      counters.delete(key);
    },
    get size() {
      return counters.size;
    },
  };
}
