import type { CounterIncrement, CounterReservation, CounterStore, LocalCounterStore } from '../../spec/ports.js';

export interface MemoryCounterStoreOptions {
  /** Epoch milliseconds; injected so expiry is deterministic in tests. */
  now: () => number;
  /** How often (by the injected clock) expired counters are swept from memory. Default 60 s. */
  sweepIntervalMs?: number;
}

/** The in-process CounterStore, plus the number of counters held (for tests and metrics). */
export interface MemoryCounterStore extends CounterStore {
  readonly local: LocalCounterStore;
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

function checkIncrement(delta: number, ttlMs: number | undefined): void {
  checkFinite('delta', delta);
  if (ttlMs !== undefined && !(ttlMs > 0)) throw new RangeError(`ttlMs must be a positive number, got ${ttlMs}`);
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

  const increment = (key: string, delta: number, ttlMs: number | undefined, now: number): number => {
    const counter = live(key, now);
    if (counter === undefined) {
      counters.set(key, { value: delta, expiresAt: ttlMs === undefined ? null : now + ttlMs });
      return delta;
    }
    counter.value += delta;
    counter.expiresAt ??= ttlMs === undefined ? null : now + ttlMs;
    return counter.value;
  };

  const local: LocalCounterStore = {
    get(key) {
      return live(key, options.now())?.value ?? 0;
    },
    getMany(keys) {
      const now = options.now();
      const values = new Array<number>(keys.length);
      for (let index = 0; index < keys.length; index += 1) values[index] = live(keys[index] as string, now)?.value ?? 0;
      return values;
    },
    incrementMany(increments) {
      for (const { delta, ttlMs } of increments) checkIncrement(delta, ttlMs);
      const now = options.now();
      const values = new Array<number>(increments.length);
      for (let index = 0; index < increments.length; index += 1) {
        const { key, delta, ttlMs } = increments[index] as CounterIncrement;
        values[index] = increment(key, delta, ttlMs, now);
      }
      return values;
    },
    reserve(reservations) {
      const now = options.now();
      for (const reservation of reservations) {
        checkFinite('amount', reservation.amount);
        if (reservation.ttlMs !== undefined && !(reservation.ttlMs > 0)) throw new RangeError(`ttlMs must be a positive number, got ${reservation.ttlMs}`);
      }
      // Check everything first, then apply: nothing runs in between, so this is atomic in one process. The counters
      // found by the check are applied to directly (one map lookup per key).
      const found = new Array<Counter | undefined>(reservations.length);
      for (let index = 0; index < reservations.length; index += 1) {
        const reservation = reservations[index] as CounterReservation;
        const counter = live(reservation.key, now);
        const value = counter?.value ?? 0;
        if (value + reservation.amount > reservation.limit) return { ok: false, index, value };
        found[index] = counter;
      }
      const values = new Array<number>(reservations.length);
      for (let index = 0; index < reservations.length; index += 1) {
        const reservation = reservations[index] as CounterReservation;
        // The same key twice in one reservation: the second finds the counter the first created.
        const counter = found[index] ?? counters.get(reservation.key);
        if (counter === undefined) {
          counters.set(reservation.key, { value: reservation.amount, expiresAt: reservation.ttlMs === undefined ? null : now + reservation.ttlMs });
          values[index] = reservation.amount;
        } else {
          counter.value += reservation.amount;
          counter.expiresAt ??= reservation.ttlMs === undefined ? null : now + reservation.ttlMs;
          values[index] = counter.value;
        }
      }
      return { ok: true, values };
    },
  };

  return {
    async increment(key, delta, ttlMs) {
      checkIncrement(delta, ttlMs);
      return increment(key, delta, ttlMs, options.now());
    },
    async get(key) {
      return local.get(key);
    },
    async getMany(keys) {
      return local.getMany(keys);
    },
    async incrementMany(increments) {
      return local.incrementMany(increments);
    },
    async reserve(reservations) {
      return local.reserve(reservations);
    },
    async reset(key) {
      counters.delete(key);
    },
    local,
    get size() {
      return counters.size;
    },
  };
}
