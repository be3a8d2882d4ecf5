export { createVectorStore, type VectorStore, type VectorStoreOptions, type VectorStoreCandidate, type VectorStoreEntry } from './vector-store.js';
export { createPartitionedHnsw, type HnswOptions, type PartitionedHnsw } from './partitioned-hnsw.js';
export { createSqliteShadowHitStore, type SqliteShadowHitStore, type StoredShadowHit, type ShadowHitQuery } from './shadow-hit-store.js';
