/**
 * Text similarity for the near-identical detectors: Jaccard similarity of word 2-shingles (bigrams), hashed to 32-bit numbers
 * and kept as a sorted Uint32Array (no Set, no string per word: the breakers compute one per request). Texts are normalised (lower case, words only); of a text longer
 * than 2 × SAMPLE_CHARS only the first and last SAMPLE_CHARS characters are read, so the cost per request stays
 * bounded whatever the size of a tool result.
 */

/** Characters read at each end of a long text. */
export const SAMPLE_CHARS = 1_024;

/** The part of a text that is compared: all of it, or its head and tail. */
export const sampled = (text: string): string =>
  text.length > 2 * SAMPLE_CHARS ? `${text.slice(0, SAMPLE_CHARS)}\n${text.slice(text.length - SAMPLE_CHARS)}` : text;

/** FNV-1a offset basis and prime, over a word's UTF-16 units. */
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

const isWordChar = (code: number): boolean =>
  (code >= 48 && code <= 57) || (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || code > 127;

/** A text's shingles: hashed word bigrams, sorted and unique (a set as a compact array: no Set per request). */
export type Shingles = Uint32Array;

/** Reused between calls to collect a text's shingle hashes before they are sorted (grown when a text needs more). */
let scratch = new Uint32Array(512);

const push = (count: number, value: number): number => {
  if (count === scratch.length) {
    const grown = new Uint32Array(scratch.length * 2);
    grown.set(scratch);
    scratch = grown;
  }
  scratch[count] = value;
  return count + 1;
};

/**
 * Word hashes of a lower-cased text, paired into bigrams as they come (single words when there are fewer than two),
 * into `scratch`; returns how many. `fold` lower-cases ASCII in place of toLowerCase (only used on ASCII text).
 */
function collect(source: string, fold: boolean): number {
  let count = 0;
  let words = 0;
  let first = 0;
  let previous = 0;
  let hash = FNV_OFFSET;
  let inWord = false;
  for (let index = 0; index <= source.length; index++) {
    let code = index < source.length ? source.charCodeAt(index) : 32;
    if (fold && code >= 65 && code <= 90) code += 32;
    if (isWordChar(code)) {
      if (!inWord) hash = FNV_OFFSET;
      inWord = true;
      hash = Math.imul(hash ^ code, FNV_PRIME);
      continue;
    }
    if (!inWord) continue;
    inWord = false;
    const word = hash >>> 0;
    words++;
    if (words === 1) first = word;
    else count = push(count, (Math.imul(previous, 0x9e3779b1) ^ word) >>> 0);
    previous = word;
  }
  return words === 1 ? push(0, first) : count;
}

/** The hashed word bigrams of a text (single words when it has fewer than two), case-folded, as sorted unique values. */
export function shingles(text: string): Shingles {
  const source = sampled(text);
  let ascii = true;
  for (let index = 0; index < source.length && ascii; index++) if (source.charCodeAt(index) > 127) ascii = false;
  // Non-ASCII text goes through toLowerCase (whose mappings may change the length); ASCII is folded as it is read.
  const count = ascii ? collect(source, true) : collect(source.toLowerCase(), false);
  const sorted = scratch.subarray(0, count).sort();
  let unique = 0;
  for (let index = 0; index < count; index++) if (index === 0 || sorted[index] !== sorted[unique - 1]) sorted[unique++] = sorted[index] as number;
  return scratch.slice(0, unique);
}

/** |A ∩ B| / |A ∪ B| of two shingle sets; two empty sets are identical (1). */
export function jaccard(a: Shingles, b: Shingles): number {
  if (a.length === 0 && b.length === 0) return 1;
  let shared = 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as number;
    const y = b[j] as number;
    if (x === y) {
      shared++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return shared / (a.length + b.length - shared);
}

/** Similarity of two texts, 0-1. */
export const similarity = (a: string, b: string): number => (a === b ? 1 : jaccard(shingles(a), shingles(b)));
