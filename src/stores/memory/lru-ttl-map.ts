/**
 * A bounded map with least-recently-used eviction and per-entry expiry, on an injected clock.
 * Building block of the in-process cache store and of the key lookup cache: both must stay bounded in memory
 * whatever the traffic, and both must be testable without waiting for real time to pass.
 */

export interface LruTtlMapOptions<V> {
  /** Most entries kept; the least recently used one is evicted beyond it. */
  maxEntries: number;
  /** Optional weight budget (e.g. bytes); entries are evicted, least recently used first, until it holds. */
  maxWeight?: number;
  /** Weight of one value; required for maxWeight to mean anything. Defaults to 1 per entry. */
  weigh?: (value: V) => number;
  /** Epoch milliseconds; injected so expiry is deterministic in tests. */
  now: () => number;
}

interface Slot<V> {
  value: V;
  expiresAt: number;
  weight: number;
}

export interface LruTtlMap<K, V> {
  /** The live value, marked as most recently used; undefined when absent or expired (expired entries are removed). */
  get(key: K): V | undefined;
  /**
   * Stores the value for ttlMs (Infinity = no expiry) as the most recently used entry, evicting others to stay
   * within bounds. A value heavier than maxWeight on its own is not stored (returns false).
   */
  set(key: K, value: V, ttlMs: number): boolean;
  delete(key: K): boolean;
  clear(): void;
  /** Entries held, including expired ones not yet noticed. */
  readonly size: number;
  /** Total weight held. */
  readonly weight: number;
}

function assertPositive(name: string, value: number): void {
  if (!(value > 0)) throw new RangeError(`${name} must be a positive number, got ${value}`);
}

/** Creates an empty LRU + TTL map. Map insertion order is the recency order (oldest first). */
export function createLruTtlMap<K, V>(options: LruTtlMapOptions<V>): LruTtlMap<K, V> {
  assertPositive('maxEntries', options.maxEntries);
  const maxWeight = options.maxWeight ?? Infinity;
  assertPositive('maxWeight', maxWeight);
  const weigh = options.weigh ?? (() => 1);
  const slots = new Map<K, Slot<V>>();
  let weight = 0;

  const remove = (key: K): boolean => {
    const slot = slots.get(key);
    if (slot === undefined) return false;
    slots.delete(key);
    weight -= slot.weight;
    return true;
  };

  const evictOldest = (): void => {
    const oldest = slots.keys().next();
    if (!oldest.done) remove(oldest.value);
  };

  return {
    get(key) {
      const slot = slots.get(key);
      if (slot === undefined) return undefined;
      if (slot.expiresAt <= options.now()) {
        remove(key);
        return undefined;
      }
      slots.delete(key);
      slots.set(key, slot);
      return slot.value;
    },
    set(key, value, ttlMs) {
      assertPositive('ttlMs', ttlMs);
      remove(key);
      const slotWeight = weigh(value);
      if (slotWeight > maxWeight) return false;
      while (slots.size > 0 && (slots.size >= options.maxEntries || weight + slotWeight > maxWeight)) evictOldest();
      slots.set(key, { value, expiresAt: options.now() + ttlMs, weight: slotWeight });
      weight += slotWeight;
      return true;
    },
    delete: remove,
    clear() {
      slots.clear();
      weight = 0;
    },
    get size() {
      return slots.size;
    },
    get weight() {
      return weight;
    },
  };
}
