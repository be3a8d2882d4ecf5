/**
 * Builds the semantic cache of a gateway from `cache.semantic` (docs/semantic-cache.md): the embedder (built-in local,
 * or an embeddings model served through this gateway's own providers), the vector store persisted in the embedded
 * database, and the store of shadow-mode would-be hits. Configuration problems are reported like any other config
 * error, naming the key.
 */
import type { Database } from 'better-sqlite3';
import type { ModelCatalog } from '../../pipeline/model-catalog.js';
import { createSemanticCacheEngine, defaultSemanticThreshold, type SemanticCacheEngine } from '../../policies/cache/semantic/index.js';
import { ConfigError, type LoadedConfig } from '../../spec/config/load-config.js';
import { createSqliteShadowHitStore, createVectorStore, type SqliteShadowHitStore } from '../../stores/vector/index.js';
import type { ProviderRuntime } from '../upstream/provider-runtime.js';
import { createSemanticEmbedder } from './embeddings-client.js';

export interface SemanticCache {
  engine: SemanticCacheEngine;
  shadowHits: SqliteShadowHitStore;
  /** The evaluated threshold of the built-in embedder (docs/semantic-cache.md), used when config sets none. */
  defaultThreshold: number;
}

export function startSemanticCache(options: { loaded: LoadedConfig; models: ModelCatalog; runtimes: ReadonlyMap<string, ProviderRuntime>; db: Database; now: () => number }): SemanticCache {
  const { loaded } = options;
  const config = loaded.config.cache.semantic;
  const made = createSemanticEmbedder(config.embedder, { resolve: (model) => options.models.resolve(model), runtimes: options.runtimes });
  if (made.problem !== undefined) throw new ConfigError(loaded.source, [`cache.semantic.embedder.model: ${made.problem}`]);
  // The default threshold was evaluated for the local embedder only; a model's similarities live on another scale.
  if (config.embedder.type === 'model' && config.threshold === undefined) {
    throw new ConfigError(loaded.source, ['cache.semantic.threshold: required with a model embedder (the default was evaluated for the local embedder only; calibrate it in shadow mode, docs/semantic-cache.md)']);
  }
  const engine = createSemanticCacheEngine({
    embedder: made.embedder,
    store: createVectorStore({ db: options.db, embedderId: made.embedder.id }),
    maxEntries: config.max_entries,
    now: options.now,
  });
  return { engine, shadowHits: createSqliteShadowHitStore(options.db), defaultThreshold: defaultSemanticThreshold };
}
