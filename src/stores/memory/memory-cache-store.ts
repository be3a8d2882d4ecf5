import type { CacheStore } from '../../spec/ports.js';
import { createLruTtlMap } from './lru-ttl-map.js';

export interface MemoryCacheStoreOptions {
  /** Epoch milliseconds; injected so expiry is deterministic in tests. */
  now: () => number;
  /** Most responses kept; the least recently used is evicted beyond it. */
  maxEntries: number;
  /** Optional bound on the bytes held (sum of value lengths). Unbounded when omitted. */
  maxBytes?: number;
}

/**
 * The embedded response cache: in-process, LRU + TTL, bounded by entry count (and bytes if asked). Values are
 * copied in and out, so a caller mutating a buffer it passed or received can never corrupt a cached response.
 * Lost on restart by design; the scaled deployment uses Redis behind the same port.
 */
export function createMemoryCacheStore(options: MemoryCacheStoreOptions): CacheStore {
  const entries = createLruTtlMap<string, Uint8Array>({
    maxEntries: options.maxEntries,
    maxWeight: options.maxBytes,
    weigh: (value) => value.byteLength,
    now: options.now,
  });
  return {
    async get(key) {
      const value = entries.get(key);
      return value === undefined ? null : value.slice();
    },
    async set(key, value, ttlMs) {
      entries.set(key, value.slice(), ttlMs);
    },
    async delete(key) {
      entries.delete(key);
    },
  };
}
