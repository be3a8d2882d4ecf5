/**
 * The built-in embedder: no model, no download. It hashes lexical features of the text into `dimensions` buckets
 * (the "hashing trick"): word unigrams, word bigrams and character n-grams of each word, each with a sublinear term
 * frequency (1 + ln tf), a signed hash (so collisions cancel on average instead of piling up) and a weight per group;
 * the result is L2-normalised, so cosine similarity is a dot product.
 *
 * It is LEXICAL, not semantic. It matches texts that share words: rephrasings that reuse the words, changed word
 * order, punctuation, case, accents, small typos and inflections (via the character n-grams). It cannot match
 * synonyms or paraphrases that share no words ("cheap flights" vs "inexpensive airfare"); for those configure a
 * model embedder (embedder.type: model). Deterministic: the same text always gives the same vector, on any machine.
 */
import type { Embedder } from '../../../spec/semantic-cache.js';

export interface LocalEmbedderOptions {
  /** Vector length. Default 512. */
  dimensions?: number;
  /** Weight of the word-unigram group. Default 1. */
  wordWeight?: number;
  /** Weight of the word-bigram group (word order). Default 0.5. */
  bigramWeight?: number;
  /** Weight of the character n-gram group (typos, inflections); 0 turns it off. Default 0.5. */
  charWeight?: number;
  /** Factor applied to very common function words ("the", "is", "how"...) so content words decide. Default 0.3. */
  stopwordFactor?: number;
}

/** Common English function words. They still count (so word order and "how" vs "why" matter) but weigh less. */
const stopwords = new Set(
  ('a an the is are was were be been being am do does did doing have has had having i me my we our you your he she it ' +
    'its they them their this that these those what which who whom whose when where why how of in on at to for from ' +
    'by with about as into than then so if or and but can could should would will shall may might must there here ' +
    'any some all most more very just also get one s').split(' '),
);

/** FNV-1a over UTF-16 code units, then a murmur3 finaliser for well-mixed bits. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Lower-cased words of the text: NFKD with diacritics removed, apostrophes kept inside words ("don't"). */
export function words(text: string): string[] {
  const folded = text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(/[\u2018\u2019\u02bc]/g, "'");
  return folded.match(/[\p{L}\p{N}]+(?:'[\p{L}]+)*/gu) ?? [];
}

type Counts = Map<string, number>;

function count(counts: Counts, feature: string): void {
  counts.set(feature, (counts.get(feature) ?? 0) + 1);
}

/**
 * Adds one feature group to the vector, each feature weighted (1 + ln tf) x its factor, the group scaled so its own
 * norm is `weight` (before collisions). Stopword unigrams are keyed "s:" and take `stopwordFactor`.
 */
function addGroup(vector: Float32Array, counts: Counts, weight: number, stopwordFactor: number): void {
  if (weight <= 0 || counts.size === 0) return;
  const valueOf = (feature: string, tf: number) => (1 + Math.log(tf)) * (feature.startsWith('s:') ? stopwordFactor : 1);
  let sumSquares = 0;
  for (const [feature, tf] of counts) sumSquares += valueOf(feature, tf) ** 2;
  if (sumSquares === 0) return;
  const scale = weight / Math.sqrt(sumSquares);
  const dimensions = vector.length;
  for (const [feature, tf] of counts) {
    const h = hash32(feature);
    const value = valueOf(feature, tf) * scale;
    const index = h % dimensions;
    vector[index] = (vector[index] ?? 0) + (h & 0x8000_0000 ? -value : value);
  }
}

/** The three feature groups of a tokenised text, as raw counts. Stopwords give no character n-grams. */
function features(tokens: readonly string[], options: Required<LocalEmbedderOptions>): { unigrams: Counts; bigrams: Counts; chars: Counts } {
  const unigrams: Counts = new Map();
  const bigrams: Counts = new Map();
  const chars: Counts = new Map();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? '';
    const common = stopwords.has(token);
    count(unigrams, `${common ? 's' : 'w'}:${token}`);
    if (i + 1 < tokens.length) count(bigrams, `b:${token} ${tokens[i + 1] ?? ''}`);
    if (options.charWeight > 0 && !common) {
      const padded = `<${token}>`;
      for (let j = 0; j + 3 <= padded.length; j++) count(chars, `c:${padded.slice(j, j + 3)}`);
    }
  }
  return { unigrams, bigrams, chars };
}

/** Embeds one text. The empty text (or one with no word) is the zero vector: it matches nothing. */
export function embedLocal(text: string, options: Required<LocalEmbedderOptions>): Float32Array {
  const vector = new Float32Array(options.dimensions);
  const { unigrams, bigrams, chars } = features(words(text), options);
  addGroup(vector, unigrams, options.wordWeight, options.stopwordFactor);
  addGroup(vector, bigrams, options.bigramWeight, 1);
  addGroup(vector, chars, options.charWeight, 1);
  let norm = 0;
  for (let i = 0; i < vector.length; i++) norm += (vector[i] ?? 0) ** 2;
  if (norm === 0) return vector;
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] ?? 0) * scale;
  return vector;
}

export function resolveLocalEmbedderOptions(options: LocalEmbedderOptions = {}): Required<LocalEmbedderOptions> {
  const dimensions = options.dimensions ?? 512;
  if (!Number.isInteger(dimensions) || dimensions < 8) throw new RangeError(`local embedder: dimensions must be an integer >= 8, got ${dimensions}`);
  return {
    dimensions,
    wordWeight: options.wordWeight ?? 1,
    bigramWeight: options.bigramWeight ?? 0.5,
    charWeight: options.charWeight ?? 0.5,
    stopwordFactor: options.stopwordFactor ?? 0.3,
  };
}

export function createLocalEmbedder(options: LocalEmbedderOptions = {}): Embedder {
  const resolved = resolveLocalEmbedderOptions(options);
  const { dimensions, wordWeight, bigramWeight, charWeight, stopwordFactor } = resolved;
  return {
    id: `local-v1:${dimensions}:${wordWeight}:${bigramWeight}:${charWeight}:${stopwordFactor}`,
    dimensions,
    embed: async (texts) => texts.map((text) => embedLocal(text, resolved)),
  };
}
