/**
 * What a volatile span is, and a masked example of it that is safe to store: the shape of the value, never its
 * content (digits become `d`, identifiers become `<uuid>` / `<hex×32>` / `<id×24>`, any other text `<text×N>`).
 * The masking is fixed, not configurable: prompt content must never reach the database.
 */

import type { BreakerKind } from '../../../spec/cache-findings.js';

export { breakerKinds, type BreakerKind } from '../../../spec/cache-findings.js';

/** One-line advice per kind, shown by `jevons cache breakers`. */
export const fixHints: Record<BreakerKind, string> = {
  timestamp: 'move the timestamp after the last stable block (or round it to the day)',
  request_id: 'keep request ids out of the prompt (send them as metadata), or after the last stable block',
  number: 'move the changing number after the last stable block',
  reordered_tools: 'sort tools by name',
  reordered_json_keys: 'serialise JSON with sorted keys',
  other: 'keep the part that changes after the last stable block',
};

export interface SpanClass {
  kind: BreakerKind;
  /** The masked shape of the value, e.g. `dddd-dd-ddTdd:dd:ddZ` or `<uuid>`. */
  example: string;
  /** Where the value sits in the classified text (the whole text for 'other'). */
  start: number;
  end: number;
}

const ISO_DATE_TIME = /\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?/g;
const CLOCK_TIME = /\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?/g;
const SLASH_DATE = /\d{1,4}\/\d{1,2}\/\d{1,4}/g;
/** Unix time in seconds or milliseconds between 2001 and 2033 (10 or 13 digits starting with 1). */
const EPOCH = /(?<!\d)1\d{9}(?:\d{3})?(?!\d)/g;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/** An identifier-looking run: 8+ characters mixing letters and digits. */
const ID_TOKEN = /(?=[A-Za-z_\-+/=]*\d)(?=[0-9_\-+/=]*[A-Za-z])[A-Za-z0-9_\-+/=]{8,}/g;
const DIGITS = /\d+(?:[.,]\d+)*/g;

const maskDigits = (text: string): string => text.replace(/\d/g, 'd');

/** The first match of `pattern` overlapping [from, to) of `text`. */
function firstOverlapping(pattern: RegExp, text: string, from: number, to: number): { start: number; end: number; text: string } | null {
  for (const match of text.matchAll(pattern)) {
    const end = match.index + match[0].length;
    if (match.index < Math.max(to, from + 1) && end > from) return { start: match.index, end, text: match[0] };
  }
  return null;
}

/**
 * Classifies the text of a span, widened to whole values; `core` is the part that actually differs (default: all
 * of it): a value only counts when it overlaps the core, so `2026-11-23_v41` changing to `_v42` is a number, not a date.
 */
export function classifySpan(text: string, core: { start: number; end: number } = { start: 0, end: text.length }): SpanClass {
  const find = (pattern: RegExp) => firstOverlapping(pattern, text, core.start, core.end);
  const timestamp = find(ISO_DATE_TIME) ?? find(CLOCK_TIME) ?? find(SLASH_DATE);
  if (timestamp) return { kind: 'timestamp', example: maskDigits(timestamp.text), start: timestamp.start, end: timestamp.end };
  const epoch = find(EPOCH);
  if (epoch) return { kind: 'timestamp', example: `${maskDigits(epoch.text)} (unix time)`, start: epoch.start, end: epoch.end };
  const uuid = find(UUID);
  if (uuid) return { kind: 'request_id', example: '<uuid>', start: uuid.start, end: uuid.end };
  const id = find(ID_TOKEN);
  if (id) return { kind: 'request_id', example: /^[0-9a-f]+$/i.test(id.text) ? `<hex×${id.text.length}>` : `<id×${id.text.length}>`, start: id.start, end: id.end };
  const digits = find(DIGITS);
  if (digits) return { kind: 'number', example: maskDigits(digits.text).slice(0, 24), start: digits.start, end: digits.end };
  return { kind: 'other', example: `<text×${text.length}>`, start: 0, end: text.length };
}

/**
 * Classifies a span from both prompts (positions are in the newer text): the newer prompt's text decides unless it
 * says nothing more than 'other' (e.g. a value that became empty), in which case the older one's kind is used.
 */
export function classifyPair(older: { text: string; core: { start: number; end: number } }, newer: { text: string; core: { start: number; end: number } }): SpanClass {
  const fromNewer = classifySpan(newer.text, newer.core);
  if (fromNewer.kind !== 'other') return fromNewer;
  const fromOlder = classifySpan(older.text, older.core);
  const whole = { start: 0, end: newer.text.length };
  return fromOlder.kind !== 'other' ? { ...fromOlder, ...whole } : { kind: 'other', example: `<text×${Math.max(older.text.length, newer.text.length)}>`, ...whole };
}
