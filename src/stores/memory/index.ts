/** In-process stores for the embedded deployment (one gateway process). */
export { createMemoryCacheStore, type MemoryCacheStoreOptions } from './memory-cache-store.js';
export { createMemoryCounterStore, type MemoryCounterStore, type MemoryCounterStoreOptions } from './memory-counter-store.js';
export { createLruTtlMap, type LruTtlMap, type LruTtlMapOptions } from './lru-ttl-map.js';
