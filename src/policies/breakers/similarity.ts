/**
 * Text similarity for the near-identical detectors: Jaccard similarity of word 2-shingles (bigrams), hashed to 32-bit numbers
 * (a Set<number> costs a fraction of a Set<string>). Texts are normalised (lower case, words only); of a text longer
 * than 2 × SAMPLE_CHARS only the first and last SAMPLE_CHARS characters are read, so the cost per request stays
 * bounded whatever the size of a tool result.
 */

/** Characters read at each end of a long text. */
export const SAMPLE_CHARS = 1_024;

/** The part of a text that is compared: all of it, or its head and tail. */
export const sampled = (text: string): string =>
  text.length > 2 * SAMPLE_CHARS ? `${text.slice(0, SAMPLE_CHARS)}\n${text.slice(text.length - SAMPLE_CHARS)}` : text;
const SHINGLE = 2;

/** FNV-1a over a word. */
function hashWord(text: string, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let index = start; index < end; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

const isWordChar = (code: number): boolean =>
  (code >= 48 && code <= 57) || (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || code > 127;

/** Word hashes of the text's tail, case-folded. */
function wordHashes(text: string): number[] {
  const source = sampled(text).toLowerCase();
  const words: number[] = [];
  let start = -1;
  for (let index = 0; index <= source.length; index++) {
    const word = index < source.length && isWordChar(source.charCodeAt(index));
    if (word && start < 0) start = index;
    else if (!word && start >= 0) {
      words.push(hashWord(source, start, index));
      start = -1;
    }
  }
  return words;
}

/** The set of hashed word bigrams of a text (single words when it has fewer than two). */
export function shingles(text: string): Set<number> {
  const words = wordHashes(text);
  const set = new Set<number>();
  if (words.length < SHINGLE) {
    for (const word of words) set.add(word);
    return set;
  }
  for (let index = 0; index + SHINGLE <= words.length; index++) {
    set.add((Math.imul(words[index] ?? 0, 0x9e3779b1) ^ (words[index + 1] ?? 0)) >>> 0);
  }
  return set;
}

/** |A ∩ B| / |A ∪ B|; two empty sets are identical (1). */
export function jaccard(a: ReadonlySet<number>, b: ReadonlySet<number>): number {
  if (a.size === 0 && b.size === 0) return 1;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const value of small) if (large.has(value)) shared++;
  return shared / (a.size + b.size - shared);
}

/** Similarity of two texts, 0-1. */
export const similarity = (a: string, b: string): number => (a === b ? 1 : jaccard(shingles(a), shingles(b)));
