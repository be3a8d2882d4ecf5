/**
 * Compares a prompt with an earlier prompt of the same family and finds the first cache breaker between them: the
 * first place where they differ by a small volatile span (a timestamp, an id, a number, a few characters), by the
 * same tools in another order, or by the same JSON object with its keys in another order, while the text after it
 * is the same again. How much text after the breaker matched the earlier prompt (up to where the two prompts differ
 * for real, e.g. another conversation) is what a provider prefix cache could have read.
 *
 * Texts are compared segment by segment (equal segments are one native string comparison); inside a differing
 * segment, a common-prefix scan finds the first differing character and a resynchronisation looks for the same
 * `anchor` characters again within `maxSpanChars` on both sides. No resynchronisation = a real divergence.
 */
import { classifyPair, type BreakerKind } from './classify-span.js';
import { normalizeEmbeddedJson } from './json-normalize.js';
import type { PromptSegment } from './serialize-prompt.js';

export interface CompareOptions {
  /** Longest volatile span, in characters of either prompt. */
  maxSpanChars: number;
  /** Characters that must match again after a span for it to count as one. */
  anchorChars: number;
  /** More spans than this in one segment = the segment really differs. */
  maxSpansPerSegment: number;
}

export const defaultCompareOptions: CompareOptions = { maxSpanChars: 96, anchorChars: 32, maxSpansPerSegment: 4 };

export interface PromptBreak {
  kind: BreakerKind;
  location: string;
  /** Offset in the newer prompt (characters from its start, in segment order) where the span starts. */
  charOffset: number;
  /** Offset just past the span in the newer prompt: what comes after could have been read from the cache. */
  endOffset: number;
  example: string;
}

export interface PromptComparison {
  /** Characters at the start of the newer prompt identical to the older one: what a prefix cache does read. */
  commonPrefixChars: number;
  /** Where the prompts stop matching for real (end of the shorter one when they never do), in the newer prompt. */
  matchedUntil: number;
  /** The first breaker before `matchedUntil`, or null. */
  breaker: PromptBreak | null;
}

interface Span {
  startA: number;
  endA: number;
  startB: number;
  endB: number;
  /** The differing characters before widening, relative to startA / startB. */
  coreA: { start: number; end: number };
  coreB: { start: number; end: number };
}

/** Characters that make up one value (timestamp, id, number): a span is widened to whole values before classifying. */
const VALUE_CHAR = /[A-Za-z0-9_\-:.+/=]/;
const MAX_WIDEN = 64;

/** Length of the common run of a from i and b from j: whole chunks compared natively first, then characters. */
function commonRun(a: string, b: string, i: number, j: number): number {
  let n = 0;
  for (let chunk = 4_096; chunk >= 64; chunk >>= 4) {
    while (i + n + chunk <= a.length && j + n + chunk <= b.length && a.slice(i + n, i + n + chunk) === b.slice(j + n, j + n + chunk)) n += chunk;
  }
  while (i + n < a.length && j + n < b.length && a.charCodeAt(i + n) === b.charCodeAt(j + n)) n += 1;
  return n;
}

/** The nearest (la, lb) after which `a` and `b` agree again for `anchor` characters (or both end), or null. */
function resync(a: string, b: string, i: number, j: number, options: CompareOptions): { la: number; lb: number } | null {
  let best: { la: number; lb: number } | null = null;
  const window = a.slice(i, i + options.maxSpanChars + options.anchorChars);
  for (let lb = 0; lb <= options.maxSpanChars && j + lb <= b.length; lb += 1) {
    if (best !== null && lb >= best.la + best.lb) break;
    const anchor = b.slice(j + lb, j + lb + options.anchorChars);
    let la: number;
    if (anchor.length === options.anchorChars) la = window.indexOf(anchor);
    else {
      // Near the end of the newer text: the older one must end with the same characters.
      la = a.endsWith(anchor) ? a.length - anchor.length - i : -1;
    }
    if (la < 0 || la > options.maxSpanChars || (la === 0 && lb === 0)) continue;
    if (best === null || la + lb < best.la + best.lb) best = { la, lb };
  }
  return best;
}

/** Widens a span to whole values (without crossing `floor`, the end of the previous span) so it can be classified. */
function widen(a: string, b: string, raw: { startA: number; endA: number; startB: number; endB: number }, floor: number): Span {
  const out = { ...raw };
  for (let n = 0; n < MAX_WIDEN && out.startB > floor && VALUE_CHAR.test(b[out.startB - 1] ?? ''); n += 1) {
    out.startA -= 1;
    out.startB -= 1;
  }
  for (let n = 0; n < MAX_WIDEN && out.endB < b.length && out.endA < a.length && a[out.endA] === b[out.endB] && VALUE_CHAR.test(b[out.endB] ?? ''); n += 1) {
    out.endA += 1;
    out.endB += 1;
  }
  return {
    ...out,
    coreA: { start: raw.startA - out.startA, end: raw.endA - out.startA },
    coreB: { start: raw.startB - out.startB, end: raw.endB - out.startB },
  };
}

/** The small spans by which `b` differs from `a`, and where they diverge for real (index in b), if they do. */
export function diffText(a: string, b: string, options: CompareOptions): { spans: Span[]; divergedAt: number | null } {
  const spans: Span[] = [];
  let i = 0;
  let j = 0;
  for (;;) {
    const run = commonRun(a, b, i, j);
    i += run;
    j += run;
    if (i === a.length && j === b.length) return { spans, divergedAt: null };
    // Many spans in one segment is a different text sharing a template, not a volatile value: it diverges at once.
    if (spans.length >= options.maxSpansPerSegment) return { spans: [], divergedAt: spans[0]?.startB ?? j };
    const found = resync(a, b, i, j, options);
    if (found === null) return { spans, divergedAt: j };
    const span = widen(a, b, { startA: i, endA: i + found.la, startB: j, endB: j + found.lb }, spans.at(-1)?.endB ?? 0);
    spans.push(span);
    i = span.endA;
    j = span.endB;
  }
}

/** When both prompts carry the same tools in another order: the index of the first tool out of place. */
function toolReorder(a: readonly PromptSegment[], b: readonly PromptSegment[]): number | null {
  const toolsA = a.filter((segment) => segment.location.startsWith('tools['));
  const toolsB = b.filter((segment) => segment.location.startsWith('tools['));
  if (toolsA.length < 2 || toolsA.length !== toolsB.length) return null;
  const first = toolsA.findIndex((tool, index) => tool.text !== toolsB[index]?.text);
  if (first === -1) return null;
  const sortedA = toolsA.map((tool) => tool.text).sort();
  const sortedB = toolsB.map((tool) => tool.text).sort();
  return sortedA.every((text, index) => text === sortedB[index]) ? first : null;
}

/** Compares the newer prompt `b` with the older prompt `a` (see the file comment). */
export function comparePrompts(a: readonly PromptSegment[], b: readonly PromptSegment[], options: CompareOptions = defaultCompareOptions): PromptComparison {
  let breaker: PromptBreak | null = null;
  let commonPrefix: number | null = null;
  const reordered = toolReorder(a, b);
  let offset = 0;
  const count = Math.min(a.length, b.length);
  for (let index = 0; index < count; index += 1) {
    const segA = a[index] as PromptSegment;
    const segB = b[index] as PromptSegment;
    if (segA.location !== segB.location) return { commonPrefixChars: commonPrefix ?? offset, matchedUntil: offset, breaker };
    if (reordered !== null && index === reordered && breaker === null) {
      commonPrefix = offset;
      breaker = { kind: 'reordered_tools', location: segB.location, charOffset: offset, endOffset: offset, example: `${a.filter((s) => s.location.startsWith('tools[')).length} tools, first out of place: tools[${index}]` };
    }
    const isTool = segB.location.startsWith('tools[');
    if (segA.text === segB.text || (reordered !== null && isTool)) {
      offset += segB.text.length;
      continue;
    }
    const first = commonRun(segA.text, segB.text, 0, 0);
    commonPrefix ??= offset + first;
    if (normalizeEmbeddedJson(segA.text) === normalizeEmbeddedJson(segB.text)) {
      breaker ??= { kind: 'reordered_json_keys', location: segB.location, charOffset: offset + first, endOffset: offset + first, example: 'same JSON object, keys in another order' };
      offset += segB.text.length;
      continue;
    }
    const diff = diffText(segA.text, segB.text, options);
    const span = diff.spans[0];
    if (span !== undefined && breaker === null) {
      const value = classifyPair({ text: segA.text.slice(span.startA, span.endA), core: span.coreA }, { text: segB.text.slice(span.startB, span.endB), core: span.coreB });
      breaker = { kind: value.kind, location: segB.location, charOffset: offset + span.startB + value.start, endOffset: offset + span.startB + value.end, example: value.example };
    }
    if (diff.divergedAt !== null) return { commonPrefixChars: commonPrefix, matchedUntil: offset + diff.divergedAt, breaker };
    const last = diff.spans.at(-1);
    // A span that ends the last segment compared has nothing matching after it (a different last question).
    if (index === count - 1 && last !== undefined && last.endB === segB.text.length) return { commonPrefixChars: commonPrefix, matchedUntil: offset + last.startB, breaker };
    offset += segB.text.length;
  }
  return { commonPrefixChars: commonPrefix ?? offset, matchedUntil: offset, breaker };
}
