import { describe, expect, it } from 'vitest';
import { createLruTtlMap } from './lru-ttl-map.js';

function clock(start = 1_000) {
  let time = start;
  return { now: () => time, advance: (ms: number) => void (time += ms) };
}

describe('createLruTtlMap', () => {
  it('expires entries at their TTL by the injected clock', () => {
    const time = clock();
    const map = createLruTtlMap<string, number>({ maxEntries: 10, now: time.now });
    map.set('a', 1, 100);
    time.advance(99);
    expect(map.get('a')).toBe(1);
    time.advance(1);
    expect(map.get('a')).toBeUndefined();
    expect(map.size).toBe(0);
  });

  it('evicts the least recently used entry, counting reads as use', () => {
    const time = clock();
    const map = createLruTtlMap<string, number>({ maxEntries: 2, now: time.now });
    map.set('a', 1, 1_000);
    map.set('b', 2, 1_000);
    expect(map.get('a')).toBe(1);
    map.set('c', 3, 1_000);
    expect(map.get('b')).toBeUndefined();
    expect(map.get('a')).toBe(1);
    expect(map.get('c')).toBe(3);
  });

  it('keeps the total weight within maxWeight and refuses a value heavier than the budget', () => {
    const time = clock();
    const map = createLruTtlMap<string, string>({ maxEntries: 100, maxWeight: 10, weigh: (value) => value.length, now: time.now });
    map.set('a', 'xxxx', 1_000);
    map.set('b', 'yyyy', 1_000);
    map.set('c', 'zzzz', 1_000);
    expect(map.get('a')).toBeUndefined();
    expect(map.weight).toBe(8);
    expect(map.set('big', 'x'.repeat(11), 1_000)).toBe(false);
    expect(map.weight).toBe(8);
  });

  it('replaces a key in place and rejects a non-positive TTL', () => {
    const time = clock();
    const map = createLruTtlMap<string, number>({ maxEntries: 2, now: time.now });
    map.set('a', 1, 1_000);
    map.set('a', 2, 1_000);
    expect(map.size).toBe(1);
    expect(map.get('a')).toBe(2);
    expect(() => map.set('a', 3, 0)).toThrow(RangeError);
    expect(map.delete('a')).toBe(true);
    expect(map.delete('a')).toBe(false);
  });
});
