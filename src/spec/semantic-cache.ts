/**
 * The ports the semantic cache engine (src/policies/cache/semantic/engine.ts) is built on. The engine owns the policy (threshold, guards,
 * expiry, eviction); a SemanticVectorStore owns the vectors and the entries (src/stores/vector implements it over
 * hnswlib-node and, in embedded mode, SQLite); an Embedder turns text into vectors (src/policies/cache/semantic/local-embedder.ts built in,
 * src/server/cache/embeddings-client.ts through the gateway's own providers).
 */

/** Turns texts into vectors of one fixed length. Vectors are unit-length (cosine similarity = dot product). */
export interface Embedder {
  /**
   * Identifies the vector space: two embedders with the same id give comparable vectors. Persisted entries embedded
   * under another id are dropped at start (their vectors mean nothing to this embedder).
   */
  readonly id: string;
  /** Length of the vectors, or null while unknown (a model embedder whose dimensions are not configured). */
  readonly dimensions: number | null;
  /** One vector per text, in order. Rejects (a GatewayError for a model embedder) when embedding is impossible. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/** One cached entry as the store keeps it. `id` is also the label of its vector in the index. */
export interface SemanticEntry {
  id: number;
  partition: string;
  text: string;
  storedAt: number;
  expiresAt: number;
}

/** A neighbour found by the index, most similar first. */
export interface SemanticCandidate extends SemanticEntry {
  /** Cosine similarity to the query, in [-1, 1]. */
  similarity: number;
}

export interface SemanticVectorStore {
  /**
   * The `k` nearest entries of `partition` to the unit-length `vector`, most similar first. Entries of other
   * partitions are never returned (hard filter). Expired entries may be returned; the engine skips them.
   */
  search(input: { partition: string; vector: Float32Array; k: number }): SemanticCandidate[];
  /** The stored answer of an entry, or null when it is gone. */
  payload(id: number): Uint8Array | null;
  /** Stores an entry and its vector; returns its id. */
  add(input: { partition: string; text: string; payload: Uint8Array; vector: Float32Array; storedAt: number; expiresAt: number }): number;
  /** Deletes entries (marks their vectors deleted in the index, removes their rows). Unknown ids are ignored. */
  remove(ids: readonly number[]): void;
  /** Ids of the `count` oldest entries (by storedAt), oldest first. */
  oldest(count: number): number[];
  /** Ids of the entries whose expiresAt <= now. */
  expired(now: number): number[];
  /** Number of live entries. */
  size(): number;
  close(): Promise<void>;
}

/** A would-be hit recorded in shadow mode, so its precision can be reviewed before the cache serves anything. */
export interface ShadowHit {
  id: string;
  at: number;
  requestId: string | null;
  feature: string | null;
  model: string;
  similarity: number;
  /** The last user turn of the request. */
  question: string;
  /** The cached question it matched. */
  matchedQuestion: string;
  /** The answer that would have been served (text extracted from the payload by the caller). */
  answer: string;
  partition: string;
}

export interface ShadowHitStore {
  record(hit: ShadowHit): Promise<void>;
  /** Most recent first. */
  list(query: { since?: number; feature?: string; limit?: number }): Promise<ShadowHit[]>;
}
