/**
 * False-hit guards: two questions that look alike to an embedder but must not share an answer. Each guard compares
 * one kind of detail that flips the meaning and that embedders (lexical or neural) barely see: a negation, a number,
 * a named entity, a date. A guard that fires vetoes the candidate; the engine then tries the next neighbour.
 *
 * They are deliberately cheap (one regex pass per text) and conservative: they compare what both texts state, so a
 * detail written differently on each side ("5" / "five", "Jan" / "January", "Python" / "python") is not a difference.
 */
import { words } from './local-embedder.js';

export type GuardName = 'negation' | 'number' | 'entity' | 'date';
export const guardNames: readonly GuardName[] = ['negation', 'number', 'entity', 'date'];

const negations = new Set(['not', 'no', 'never', 'without', 'none', 'nobody', 'nothing', 'neither', 'nor', 'nowhere', 'cannot', 'cant', 'dont', 'wont', 'isnt']);

/**
 * How many negations the text holds ("n't" contractions included). Compared, not just detected: "not never" ≠
 * "never". The idiom "whether or not" negates nothing and is skipped.
 */
export function negationCount(text: string): number {
  let count = 0;
  let previous = '';
  for (const word of words(text)) {
    if ((negations.has(word) || word.endsWith("n't")) && !(word === 'not' && previous === 'or')) count += 1;
    previous = word;
  }
  return count;
}

const units: Record<string, number> = {
  zero: 0, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11,
  twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19,
  twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90,
  hundred: 100, thousand: 1_000, million: 1_000_000, billion: 1_000_000_000,
  first: 1, second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9, tenth: 10,
  half: 0.5, twice: 2, double: 2, triple: 3, dozen: 12,
};

/**
 * The numbers a text states, normalised: digits ("1,000", "3.5", "2nd", "10k" → 10000) and written forms. Written
 * forms are counted word by word ("twenty five" → 20, 5), which is enough to tell two texts apart. "one" is left
 * out: it is far more often a pronoun ("which one", "how can one") than a count. A date's digits are numbers too;
 * digits glued to letters ("mp4", "covid19") are part of a name, not a number.
 */
export function numbersOf(text: string): Set<string> {
  const found = new Set<string>();
  const digits = text.toLowerCase().match(/(?<![\p{L}\d.,])\d[\d,]*(?:\.\d+)?(?:k|m|bn)?\b/gu) ?? [];
  for (const raw of digits) {
    const suffix = /(k|m|bn)$/.exec(raw)?.[1];
    let value = Number(raw.replace(/(k|m|bn)$/, '').replace(/,/g, ''));
    if (suffix === 'k') value *= 1_000;
    else if (suffix === 'm') value *= 1_000_000;
    else if (suffix === 'bn') value *= 1_000_000_000;
    found.add(String(value));
  }
  for (const word of words(text)) {
    const value = units[word];
    if (value !== undefined) found.add(String(value));
  }
  return found;
}

/** Words that start a sentence or are capitalised by convention, never taken for names. */
const notNames = new Set(['i', 'im', "i'm", "i've", "i'd", "i'll", 'ok', 'okay']);

/**
 * Capitalised words that are not at the start of a sentence (proper nouns, product names, acronyms), lower-cased;
 * an all-caps word counts even at the start ("NASA", "USB").
 */
export function entitiesOf(text: string): Set<string> {
  const found = new Set<string>();
  const pattern = /[\p{L}\p{N}][\p{L}\p{N}'’.+#-]*/gu;
  let sentenceStart = true;
  let previousEnd = 0;
  for (const match of text.matchAll(pattern)) {
    const between = text.slice(previousEnd, match.index);
    if (/[.!?:;"“(\n]/.test(between)) sentenceStart = true;
    previousEnd = match.index + match[0].length;
    const word = match[0].replace(/[.'’-]+$/, '');
    const capitalised = /^\p{Lu}/u.test(word);
    const ends = /[.!?]$/.test(match[0]);
    const allCaps = word.length >= 2 && /^[\p{Lu}\p{N}]+$/u.test(word) && /\p{Lu}/u.test(word);
    const inner = /\p{Ll}\p{Lu}/u.test(word); // iPhone, macOS
    if (((capitalised && !sentenceStart) || allCaps || inner) && word.length >= 2) {
      const key = word.toLowerCase();
      // Months and weekdays are the date guard's business ("Jan" / "January" must not differ here).
      if (!notNames.has(key) && months[key] === undefined && weekdays[key] === undefined) found.add(key);
    }
    sentenceStart = ends;
  }
  return found;
}

const months: Record<string, string> = {
  january: 'jan', february: 'feb', march: 'mar', april: 'apr', may: 'may', june: 'jun', july: 'jul', august: 'aug',
  september: 'sep', october: 'oct', november: 'nov', december: 'dec', jan: 'jan', feb: 'feb', apr: 'apr', jun: 'jun',
  jul: 'jul', aug: 'aug', sep: 'sep', sept: 'sep', oct: 'oct', nov: 'nov', dec: 'dec',
};
/** Month words that are also common English words: a month only when capitalised mid-sentence or next to a digit. */
const ambiguousMonths = new Set(['may', 'march', 'jan', 'dec']);
const weekdays: Record<string, string> = {
  monday: 'mon', tuesday: 'tue', wednesday: 'wed', thursday: 'thu', friday: 'fri', saturday: 'sat', sunday: 'sun',
  mon: 'mon', tue: 'tue', tues: 'tue', wed: 'wed', thu: 'thu', thur: 'thu', thurs: 'thu', fri: 'fri',
};
const relativeDays = new Set(['today', 'tomorrow', 'yesterday', 'tonight']);

/** Date and time references: ISO dates, times of day, month names, weekdays, relative days. */
export function datesOf(text: string): Set<string> {
  const found = new Set<string>();
  for (const iso of text.match(/\b\d{4}-\d{2}-\d{2}\b/g) ?? []) found.add(iso);
  for (const time of text.toLowerCase().match(/\b\d{1,2}(?::\d{2})\s*(?:am|pm)?\b|\b\d{1,2}\s*(?:am|pm)\b/g) ?? []) found.add(`t:${time.replace(/\s+/g, '')}`);
  for (const match of text.matchAll(/\p{L}+/gu)) {
    const raw = match[0];
    const word = raw.toLowerCase();
    const month = months[word];
    if (month !== undefined) {
      const around = text.slice(Math.max(0, match.index - 4), match.index + raw.length + 4);
      const mid = match.index > 0 && !/[.!?]\s*$/.test(text.slice(0, match.index));
      if (!ambiguousMonths.has(word) || /\d/.test(around) || (/^\p{Lu}/u.test(raw) && mid)) found.add(`m:${month}`);
      continue;
    }
    const weekday = weekdays[word];
    if (weekday !== undefined) found.add(`d:${weekday}`);
    else if (relativeDays.has(word)) found.add(`r:${word}`);
  }
  return found;
}

const sameSet = (a: ReadonlySet<string>, b: ReadonlySet<string>) => a.size === b.size && [...a].every((item) => b.has(item));

/** The details of one text that the guards compare; computed once per text. */
export interface GuardFeatures {
  negations: number;
  numbers: Set<string>;
  entities: Set<string>;
  dates: Set<string>;
  /** Every word, lower-cased: an entity the other text also writes in lower case is not a difference. */
  words: Set<string>;
}

export function guardFeatures(text: string): GuardFeatures {
  return { negations: negationCount(text), numbers: numbersOf(text), entities: entitiesOf(text), dates: datesOf(text), words: new Set(words(text)) };
}

/** Whether `word` (or an inflection of it: same first 5 letters, "Googling" / "Google") occurs among `words`. */
function mentions(words: ReadonlySet<string>, word: string): boolean {
  if (words.has(word)) return true;
  if (word.length < 6) return false;
  const stem = word.slice(0, 5);
  for (const candidate of words) if (candidate.startsWith(stem)) return true;
  return false;
}

/** Entities named by one side that the other side never mentions, not even in lower case or inflected. */
function entitiesDiffer(a: GuardFeatures, b: GuardFeatures): boolean {
  const missing = (from: GuardFeatures, to: GuardFeatures) =>
    [...from.entities].some((entity) => !to.entities.has(entity) && !words(entity).every((word) => mentions(to.words, word)));
  return missing(a, b) || missing(b, a);
}

/** The first guard that tells the two questions apart, or null when none does (the candidate may be served). */
export function guardVeto(a: GuardFeatures, b: GuardFeatures, enabled: readonly GuardName[] = guardNames): GuardName | null {
  for (const guard of enabled) {
    if (guard === 'negation' && a.negations !== b.negations) return guard;
    if (guard === 'number' && !sameSet(a.numbers, b.numbers)) return guard;
    if (guard === 'entity' && entitiesDiffer(a, b)) return guard;
    if (guard === 'date' && !sameSet(a.dates, b.dates)) return guard;
  }
  return null;
}
