/**
 * The semantic cache engine: embeds the question, asks the store for the nearest entries of the same partition and
 * serves the most similar one that (1) reaches the threshold, (2) has not expired and (3) passes every false-hit guard
 * (./guards.ts). Several neighbours are checked, not only the first: the nearest may be vetoed ("not" added) while the
 * second is the same question reworded. Adding bounds the store to `maxEntries`, oldest first, and purges expired
 * entries from time to time (expired entries never match in between).
 */
import { guardFeatures, guardNames, guardVeto, type GuardFeatures, type GuardName } from './guards.js';
import type { Embedder, SemanticVectorStore } from '../../../spec/semantic-cache.js';

export interface SemanticMatch {
  similarity: number;
  /** The cached question that matched. */
  text: string;
  payload: Uint8Array;
  storedAt: number;
}

export interface SemanticCacheEngine {
  /** Best entry of `partition` whose similarity >= threshold and that passes the false-hit guards, else null. */
  lookup(input: { partition: string; text: string; threshold: number; now: number }): Promise<SemanticMatch | null>;
  add(input: { partition: string; text: string; payload: Uint8Array; expiresAt: number }): Promise<void>;
  close(): Promise<void>;
}

/**
 * The operating point chosen by bench/semantic-cache.mjs for the local embedder (512 dimensions, guards on): the
 * lowest threshold whose false-hit rate on the tuning split of the QQP hard non-duplicates is <= 1%.
 * docs/semantic-cache.md has the table. A model embedder needs its own threshold (per rule in config).
 */
export const defaultSemanticThreshold = 0.9;

export interface SemanticCacheEngineOptions {
  embedder: Embedder;
  store: SemanticVectorStore;
  /** Most entries kept; the oldest are evicted first. */
  maxEntries: number;
  now: () => number;
  /** Neighbours examined per lookup. Default 5. */
  candidates?: number;
  /** Guards applied (all by default); the evaluation turns them off to measure their effect. */
  guards?: readonly GuardName[];
  /** Expired entries are purged every this many additions. Default 1024. */
  purgeEvery?: number;
}

const isZero = (vector: Float32Array) => vector.every((value) => value === 0);

export function createSemanticCacheEngine(options: SemanticCacheEngineOptions): SemanticCacheEngine {
  const { embedder, store } = options;
  if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) throw new RangeError(`semantic cache: maxEntries must be a positive integer, got ${options.maxEntries}`);
  const k = options.candidates ?? 5;
  const guards = options.guards ?? guardNames;
  const purgeEvery = options.purgeEvery ?? 1024;
  let additions = 0;
  store.remove(store.expired(options.now()));

  const embedOne = async (text: string): Promise<Float32Array | null> => {
    const [vector] = await embedder.embed([text]);
    return vector === undefined || isZero(vector) ? null : vector;
  };

  return {
    async lookup({ partition, text, threshold, now }) {
      const vector = await embedOne(text);
      if (vector === null) return null;
      const expired: number[] = [];
      let question: GuardFeatures | null = null;
      try {
        for (const candidate of store.search({ partition, vector, k })) {
          if (candidate.similarity < threshold) break;
          if (candidate.expiresAt <= now) {
            expired.push(candidate.id);
            continue;
          }
          question ??= guardFeatures(text);
          if (guards.length > 0 && guardVeto(question, guardFeatures(candidate.text), guards) !== null) continue;
          const payload = store.payload(candidate.id);
          if (payload === null) continue;
          return { similarity: candidate.similarity, text: candidate.text, payload, storedAt: candidate.storedAt };
        }
        return null;
      } finally {
        if (expired.length > 0) store.remove(expired);
      }
    },
    async add({ partition, text, payload, expiresAt }) {
      const now = options.now();
      if (expiresAt <= now) return;
      const vector = await embedOne(text);
      if (vector === null) return;
      store.add({ partition, text, payload, vector, storedAt: now, expiresAt });
      additions += 1;
      if (additions % purgeEvery === 0) store.remove(store.expired(now));
      const over = store.size() - options.maxEntries;
      if (over > 0) store.remove(store.oldest(over));
    },
    close: () => store.close(),
  };
}
