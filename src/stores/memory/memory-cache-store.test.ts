import { describe, expect, it } from 'vitest';
import { createMemoryCacheStore } from './memory-cache-store.js';

function clock(start = 1_700_000_000_000) {
  let time = start;
  return { now: () => time, advance: (ms: number) => void (time += ms) };
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe('createMemoryCacheStore', () => {
  it('returns a stored value until its TTL passes', async () => {
    const time = clock();
    const store = createMemoryCacheStore({ now: time.now, maxEntries: 10 });
    await store.set('k', bytes('hello'), 1_000);
    time.advance(999);
    expect(await store.get('k')).toEqual(bytes('hello'));
    time.advance(1);
    expect(await store.get('k')).toBeNull();
  });

  it('evicts the least recently used entry beyond maxEntries', async () => {
    const time = clock();
    const store = createMemoryCacheStore({ now: time.now, maxEntries: 2 });
    await store.set('a', bytes('a'), 10_000);
    await store.set('b', bytes('b'), 10_000);
    await store.get('a');
    await store.set('c', bytes('c'), 10_000);
    expect(await store.get('b')).toBeNull();
    expect(await store.get('a')).toEqual(bytes('a'));
    expect(await store.get('c')).toEqual(bytes('c'));
  });

  it('bounds the bytes held when maxBytes is given', async () => {
    const store = createMemoryCacheStore({ now: clock().now, maxEntries: 100, maxBytes: 8 });
    await store.set('a', bytes('aaaa'), 10_000);
    await store.set('b', bytes('bbbb'), 10_000);
    await store.set('c', bytes('cccc'), 10_000);
    expect(await store.get('a')).toBeNull();
    expect(await store.get('c')).toEqual(bytes('cccc'));
  });

  it('copies values in and out, and deletes', async () => {
    const store = createMemoryCacheStore({ now: clock().now, maxEntries: 10 });
    const value = bytes('abc');
    await store.set('k', value, 10_000);
    value[0] = 0;
    const read = await store.get('k');
    expect(read).toEqual(bytes('abc'));
    read?.fill(0);
    expect(await store.get('k')).toEqual(bytes('abc'));
    await store.delete('k');
    expect(await store.get('k')).toBeNull();
  });
});
