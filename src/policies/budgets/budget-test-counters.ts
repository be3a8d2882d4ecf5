/**
 * Test support: a CounterStore that follows the port (atomic all-or-nothing reserve, expiry set when a counter is
 * created) with an injected clock. Policies may not import a concrete store, so their tests use this one.
 */
import type { CounterStore } from '../../spec/ports.js';

export function fakeCounterStore(now: () => number): CounterStore & { readonly size: number } {
  const counters = new Map<string, { value: number; expiresAt: number | null }>();
  const live = (key: string) => {
    const counter = counters.get(key);
    if (counter !== undefined && counter.expiresAt !== null && counter.expiresAt <= now()) {
      counters.delete(key);
      return undefined;
    }
    return counter;
  };
  const add = (key: string, delta: number, ttlMs?: number): number => {
    const counter = live(key);
    if (counter === undefined) {
      counters.set(key, { value: delta, expiresAt: ttlMs === undefined ? null : now() + ttlMs });
      return delta;
    }
    counter.value += delta;
    return counter.value;
  };
  return {
    async increment(key, delta, ttlMs) {
      return add(key, delta, ttlMs);
    },
    async get(key) {
      return live(key)?.value ?? 0;
    },
    async getMany(keys) {
      return keys.map((key) => live(key)?.value ?? 0);
    },
    async reset(key) {
      counters.delete(key);
    },
    async reserve(reservations) {
      for (let index = 0; index < reservations.length; index += 1) {
        const reservation = reservations[index] as (typeof reservations)[number];
        const value = live(reservation.key)?.value ?? 0;
        if (value + reservation.amount > reservation.limit) return { ok: false, index, value };
      }
      return { ok: true, values: reservations.map((reservation) => add(reservation.key, reservation.amount, reservation.ttlMs)) };
    },
    get size() {
      return counters.size;
    },
  };
}
