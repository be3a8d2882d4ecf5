export { createSemanticCacheEngine, defaultSemanticThreshold, type SemanticCacheEngine, type SemanticCacheEngineOptions, type SemanticMatch } from './engine.js';
export { createLocalEmbedder, embedLocal, type LocalEmbedderOptions } from './local-embedder.js';
export { createCachedEmbedder } from './cached-embedder.js';
export { guardFeatures, guardNames, guardVeto, type GuardFeatures, type GuardName } from './guards.js';
export type { Embedder, SemanticCandidate, SemanticEntry, SemanticVectorStore, ShadowHit, ShadowHitStore } from '../../../spec/semantic-cache.js';
