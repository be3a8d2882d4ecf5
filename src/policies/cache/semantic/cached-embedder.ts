/**
 * An LRU of recent embeddings in front of an embedder: the same question asked again (the case a cache exists for)
 * is embedded once. Only the texts missing from the LRU are sent, in one batch. A JS Map keeps insertion order, so
 * re-inserting on use and deleting the first key is an LRU.
 */
import type { Embedder } from '../../../spec/semantic-cache.js';

export function createCachedEmbedder(inner: Embedder, options: { maxEntries?: number } = {}): Embedder & { readonly hits: number } {
  const maxEntries = options.maxEntries ?? 1_000;
  const recent = new Map<string, Float32Array>();
  let hits = 0;
  const remember = (text: string, vector: Float32Array) => {
    recent.delete(text);
    recent.set(text, vector);
    if (recent.size > maxEntries) {
      const oldest = recent.keys().next();
      if (!oldest.done) recent.delete(oldest.value);
    }
  };
  return {
    id: inner.id,
    get dimensions() {
      return inner.dimensions;
    },
    get hits() {
      return hits;
    },
    async embed(texts) {
      const fresh = new Map<string, Float32Array>();
      const missing = [...new Set(texts.filter((text) => !recent.has(text)))];
      if (missing.length > 0) {
        const vectors = await inner.embed(missing);
        missing.forEach((text, i) => {
          const vector = vectors[i];
          if (vector) fresh.set(text, vector);
        });
      }
      return texts.map((text) => {
        const cached = recent.get(text);
        const vector = fresh.get(text) ?? cached;
        if (vector === undefined) throw new Error('embedder returned fewer vectors than texts');
        if (cached !== undefined && !fresh.has(text)) hits += 1;
        remember(text, vector);
        return vector;
      });
    },
  };
}
