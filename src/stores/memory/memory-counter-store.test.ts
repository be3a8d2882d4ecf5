import { describe, expect, it } from 'vitest';
import { createMemoryCounterStore } from './memory-counter-store.js';

function clock(start = 1_700_000_000_000) {
  let time = start;
  return { now: () => time, advance: (ms: number) => void (time += ms) };
}

describe('createMemoryCounterStore', () => {
  it('increments, reads and resets; an unknown counter reads 0', async () => {
    const store = createMemoryCounterStore({ now: clock().now });
    expect(await store.get('x')).toBe(0);
    expect(await store.increment('x', 2)).toBe(2);
    expect(await store.increment('x', 0.25)).toBe(2.25);
    expect(await store.increment('x', -1)).toBe(1.25);
    expect(await store.get('x')).toBe(1.25);
    await store.reset('x');
    expect(await store.get('x')).toBe(0);
  });

  it('expires a counter ttlMs after it was created; later increments do not extend the window', async () => {
    const time = clock();
    const store = createMemoryCounterStore({ now: time.now });
    await store.increment('window', 1, 1_000);
    time.advance(600);
    expect(await store.increment('window', 1, 1_000)).toBe(2);
    time.advance(399);
    expect(await store.get('window')).toBe(2);
    time.advance(1);
    expect(await store.get('window')).toBe(0);
    expect(await store.increment('window', 5, 1_000)).toBe(5);
  });

  it('gives a TTL to a counter created without one on the first increment that asks', async () => {
    const time = clock();
    const store = createMemoryCounterStore({ now: time.now });
    await store.increment('c', 1);
    await store.increment('c', 1, 500);
    time.advance(500);
    expect(await store.get('c')).toBe(0);
  });

  it('sweeps expired counters so idle keys do not accumulate', async () => {
    const time = clock();
    const store = createMemoryCounterStore({ now: time.now, sweepIntervalMs: 1_000 });
    for (let i = 0; i < 100; i++) await store.increment(`k${i}`, 1, 10);
    await store.increment('forever', 1);
    expect(store.size).toBe(101);
    time.advance(1_000);
    await store.get('anything');
    expect(store.size).toBe(1);
  });

  it('rejects a non-finite delta and a non-positive TTL', async () => {
    const store = createMemoryCounterStore({ now: clock().now });
    await expect(store.increment('x', Number.NaN)).rejects.toThrow(RangeError);
    await expect(store.increment('x', 1, 0)).rejects.toThrow(RangeError);
    expect(await store.get('x')).toBe(0);
  });
});

describe('reserve', () => {
  it('adds every amount when all fit, and nothing when one does not', async () => {
    const time = clock();
    const store = createMemoryCounterStore({ now: time.now });
    expect(await store.reserve([{ key: 'a', amount: 3, limit: 10 }, { key: 'b', amount: 5, limit: 5, ttlMs: 1_000 }])).toEqual({ ok: true, values: [3, 5] });
    expect(await store.reserve([{ key: 'a', amount: 3, limit: 10 }, { key: 'b', amount: 0.01, limit: 5 }])).toEqual({ ok: false, index: 1, value: 5 });
    expect(await store.get('a')).toBe(3);
    time.advance(1_000);
    // b expired: its window starts again.
    expect(await store.reserve([{ key: 'a', amount: 7, limit: 10 }, { key: 'b', amount: 5, limit: 5 }])).toEqual({ ok: true, values: [10, 5] });
    expect(await store.reserve([{ key: 'c', amount: 1, limit: Infinity }])).toEqual({ ok: true, values: [1] });
  });

  it('never lets concurrent reservations exceed a limit', async () => {
    const store = createMemoryCounterStore({ now: clock().now });
    const results = await Promise.all(Array.from({ length: 500 }, () => store.reserve([{ key: 'budget', amount: 0.3, limit: 10 }])));
    expect(results.filter((result) => result.ok)).toHaveLength(33);
    expect(await store.get('budget')).toBeLessThanOrEqual(10);
  });

  it('rejects non-finite amounts and bad TTLs before changing anything', async () => {
    const store = createMemoryCounterStore({ now: clock().now });
    await expect(store.reserve([{ key: 'a', amount: 1, limit: 5 }, { key: 'b', amount: Number.NaN, limit: 5 }])).rejects.toThrow(RangeError);
    await expect(store.reserve([{ key: 'a', amount: 1, limit: 5, ttlMs: -1 }])).rejects.toThrow(RangeError);
    expect(await store.get('a')).toBe(0);
  });

  it('incrementMany applies every increment in order (TTL on creation) and checks them all first', async () => {
    const time = clock();
    const store = createMemoryCounterStore({ now: time.now });
    expect(await store.incrementMany([{ key: 'a', delta: 2, ttlMs: 1_000 }, { key: 'b', delta: 1 }, { key: 'a', delta: 0.5 }])).toEqual([2, 1, 2.5]);
    await expect(store.incrementMany([{ key: 'b', delta: 1 }, { key: 'c', delta: Number.POSITIVE_INFINITY }])).rejects.toThrow(RangeError);
    expect(await store.get('b')).toBe(1);
    time.advance(1_000);
    expect(await store.getMany(['a', 'b', 'c'])).toEqual([0, 1, 0]);
  });

  it('local runs the same operations synchronously on the same counters', async () => {
    const store = createMemoryCounterStore({ now: clock().now });
    expect(store.local.reserve([{ key: 'x', amount: 3, limit: 5 }, { key: 'x', amount: 2, limit: 5 }])).toEqual({ ok: true, values: [3, 5] });
    expect(store.local.reserve([{ key: 'x', amount: 1, limit: 5 }])).toEqual({ ok: false, index: 0, value: 5 });
    expect(store.local.incrementMany([{ key: 'x', delta: -4 }])).toEqual([1]);
    expect(store.local.get('x')).toBe(1);
    expect(await store.get('x')).toBe(1);
    expect(store.local.getMany(['x', 'y'])).toEqual([1, 0]);
  });
});
