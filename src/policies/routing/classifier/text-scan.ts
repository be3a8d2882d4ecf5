/**
 * One allocation-free pass over a prompt's text: character classes, cue words and a hashed bag of words
 * (unigrams and bigrams, hashing trick). Words are hashed while they are read (FNV-1a over lowercased code
 * units), so no substring is ever built; cue words are recognised by their hash.
 */

/** Cue groups, counted per word. Order matters: it is the index into `TextStats.cues`. */
export const CUE_GROUPS = {
  code: ['def', 'function', 'return', 'class', 'import', 'const', 'let', 'var', 'print', 'python', 'javascript', 'java', 'typescript', 'code', 'program', 'implement', 'sql', 'select', 'array', 'string', 'int', 'algorithm', 'regex', 'compile', 'debug', 'bug', 'api', 'json', 'lambda', 'loop', 'recursion', 'script'],
  math: ['solve', 'calculate', 'compute', 'equation', 'integral', 'derivative', 'sum', 'product', 'probability', 'percent', 'percentage', 'total', 'many', 'much', 'cost', 'times', 'half', 'twice', 'ratio', 'average', 'remainder', 'divided', 'multiply', 'sqrt', 'frac', 'matrix', 'polynomial', 'theorem', 'value', 'number', 'each', 'per'],
  reasoning: ['why', 'prove', 'proof', 'explain', 'reason', 'reasoning', 'justify', 'derive', 'analyze', 'analyse', 'compare', 'evaluate', 'infer', 'implies', 'therefore', 'because', 'argue', 'step', 'cause', 'consequence'],
  negation: ['not', 'except', 'least', 'never', 'false', 'incorrect', 'unless', 'neither', 'nor'],
  simple: ['write', 'summarize', 'summarise', 'translate', 'list', 'story', 'poem', 'email', 'hello', 'thanks', 'rewrite', 'fix', 'name', 'define', 'definition'],
} as const;

export type CueGroup = keyof typeof CUE_GROUPS;
const cueGroupNames = Object.keys(CUE_GROUPS) as CueGroup[];

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Hash of the placeholder token every all-digit word maps to (numbers carry no lexical signal). */
const NUMBER_TOKEN = 0x2f1d0c3b;

function hashWord(word: string): number {
  let hash = FNV_OFFSET;
  for (let index = 0; index < word.length; index += 1) hash = Math.imul(hash ^ word.charCodeAt(index), FNV_PRIME);
  return hash >>> 0;
}

/** murmur3 fmix32: spreads FNV's weak low bits before masking to a bucket. */
function mix(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const cueByHash = new Map<number, number>();
cueGroupNames.forEach((group, groupIndex) => {
  for (const word of CUE_GROUPS[group]) cueByHash.set(hashWord(word), groupIndex);
});

export interface TextStats {
  chars: number;
  digits: number;
  newlines: number;
  questionMarks: number;
  /** + - * / = ^ < > % */
  operators: number;
  /** { } ; ( ) [ ] */
  codeSymbols: number;
  /** Backslashes and dollar signs (LaTeX). */
  latex: number;
  /** Runs of three backticks. */
  fences: number;
  words: number;
  numbers: number;
  wordChars: number;
  /** Words of ten or more characters. */
  longWords: number;
  /** Lines that start like a multiple-choice option: "A." "B)" "(C)". */
  choiceLines: number;
  /** Per cue group, in CUE_GROUPS order. */
  cues: Int32Array;
}

export function emptyStats(): TextStats {
  return { chars: 0, digits: 0, newlines: 0, questionMarks: 0, operators: 0, codeSymbols: 0, latex: 0, fences: 0, words: 0, numbers: 0, wordChars: 0, longWords: 0, choiceLines: 0, cues: new Int32Array(cueGroupNames.length) };
}

export function resetStats(stats: TextStats): void {
  stats.chars = stats.digits = stats.newlines = stats.questionMarks = stats.operators = stats.codeSymbols = stats.latex = 0;
  stats.fences = stats.words = stats.numbers = stats.wordChars = stats.longWords = stats.choiceLines = 0;
  stats.cues.fill(0);
}

/**
 * The distinct hashed buckets a text hits, collected without clearing a bucket-sized array per request:
 * a bucket is new when its stamp differs from the current generation.
 */
export interface BagSink {
  /** Power of two. */
  buckets: number;
  stamp: Uint32Array;
  generation: number;
  /** hits[0, count) are the distinct buckets hit, in first-seen order. */
  hits: Int32Array;
  count: number;
}

export function createBagSink(buckets: number): BagSink {
  return { buckets, stamp: new Uint32Array(buckets), generation: 0, hits: new Int32Array(buckets), count: 0 };
}

/** Starts a new request: O(1) except once every 2^32 requests. */
export function resetBag(bag: BagSink): void {
  bag.count = 0;
  bag.generation = (bag.generation + 1) >>> 0;
  if (bag.generation === 0) {
    bag.stamp.fill(0);
    bag.generation = 1;
  }
}

function addBucket(bag: BagSink, hash: number): void {
  const bucket = mix(hash) & (bag.buckets - 1);
  if (bag.stamp[bucket] === bag.generation) return;
  bag.stamp[bucket] = bag.generation;
  bag.hits[bag.count] = bucket;
  bag.count += 1;
}

function isWordChar(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95 || code > 127;
}

function countSymbol(stats: TextStats, code: number): void {
  if (code === 10) stats.newlines += 1;
  else if (code === 63) stats.questionMarks += 1;
  else if (code === 43 || code === 45 || code === 42 || code === 47 || code === 61 || code === 94 || code === 60 || code === 62 || code === 37) stats.operators += 1;
  else if (code === 123 || code === 125 || code === 59 || code === 40 || code === 41 || code === 91 || code === 93) stats.codeSymbols += 1;
  else if (code === 92 || code === 36) stats.latex += 1;
}

/** A line that starts with an option letter A-H followed by "." or ")", optionally opened by "(". */
function isChoiceLine(text: string, at: number): boolean {
  let index = at;
  if (text.charCodeAt(index) === 40) index += 1;
  const letter = text.charCodeAt(index);
  const after = text.charCodeAt(index + 1);
  return letter >= 65 && letter <= 72 && (after === 46 || after === 41);
}

/** Scans text[start, end) into `stats` and adds its hashed words and word bigrams to `bag`. */
export function scanText(text: string, start: number, end: number, stats: TextStats, bag: BagSink): void {
  let hash = FNV_OFFSET;
  let length = 0;
  let allDigits = true;
  let previous = 0;
  let lineStart = true;
  let backticks = 0;
  stats.chars += end - start;
  for (let index = start; index <= end; index += 1) {
    const code = index < end ? text.charCodeAt(index) : 32;
    if (lineStart && code !== 32 && code !== 10) {
      if (isChoiceLine(text, index)) stats.choiceLines += 1;
      lineStart = false;
    }
    if (isWordChar(code)) {
      const lower = code >= 65 && code <= 90 ? code + 32 : code;
      if (code < 48 || code > 57) allDigits = false;
      else stats.digits += 1;
      hash = Math.imul(hash ^ lower, FNV_PRIME);
      length += 1;
      continue;
    }
    if (length > 0) {
      const word = allDigits ? NUMBER_TOKEN : hash >>> 0;
      stats.words += 1;
      stats.wordChars += length;
      if (allDigits) stats.numbers += 1;
      if (length >= 10) stats.longWords += 1;
      const cue = cueByHash.get(word);
      if (cue !== undefined) stats.cues[cue] = (stats.cues[cue] ?? 0) + 1;
      addBucket(bag, word);
      if (previous !== 0) addBucket(bag, Math.imul(previous, 0x9e3779b1) ^ word);
      previous = word;
      hash = FNV_OFFSET;
      length = 0;
      allDigits = true;
    }
    backticks = code === 96 ? backticks + 1 : 0;
    if (backticks === 3) stats.fences += 1;
    if (code === 10) lineStart = true;
    countSymbol(stats, code);
  }
}

export function cueCount(stats: TextStats, group: CueGroup): number {
  return stats.cues[cueGroupNames.indexOf(group)] ?? 0;
}
