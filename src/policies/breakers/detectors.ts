/**
 * Loop detectors: pure functions over one request's transcript (agents resend the whole conversation on every
 * turn, so the transcript alone shows the loop) or over the short history the policy keeps per session.
 * Each returns null, or the finding with the facts that go into the trip's reason and details.
 */
import * as crypto from 'node:crypto';
import { jaccard, shingles, type Shingles } from './similarity.js';
import { argsText, type ToolCall, type Transcript, type Turn } from './transcript.js';

export type LoopKind = 'identical_requests' | 'similar_requests' | 'repeated_tool_call' | 'tool_cycle' | 'no_progress';

export interface Finding {
  kind: LoopKind;
  /** One line for people. */
  reason: string;
  details: Record<string, unknown>;
}

/** How a tool call is identified: name, canonical arguments and, for repeats, the result it got. */
export const callAction = (call: ToolCall): string => `${call.name}\u0000${argsText(call)}`;
export const callOutcome = (call: ToolCall): string => `${call.name}\u0000${argsText(call)}\u0000${call.result ?? '\u0001pending'}`;

const preview = (text: string, max = 80): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * The same tool called with the same arguments, and getting the same result, `threshold` times in the transcript.
 * The result is part of the identity: running the tests again after an edit is progress when the output changed;
 * asking again for something already answered is the loop.
 */
export function repeatedToolCall(calls: readonly ToolCall[], threshold: number, keyOf: (call: ToolCall) => string = callOutcome): Finding | null {
  if (calls.length < threshold) return null;
  const counts = new Map<string, number>();
  let worst: { call: ToolCall; count: number } | null = null;
  for (const call of calls) {
    const key = keyOf(call);
    const count = (counts.get(key) ?? 0) + 1;
    counts.set(key, count);
    if (count >= threshold && (worst === null || count > worst.count)) worst = { call, count };
  }
  if (worst === null) return null;
  return {
    kind: 'repeated_tool_call',
    reason: `tool "${worst.call.name}" called ${worst.count} times with the same arguments and result`,
    details: { tool: worst.call.name, arguments: preview(argsText(worst.call), 200), count: worst.count, threshold },
  };
}

/**
 * The tool calls end with a cycle of 2 to 4 distinct actions (same tools, same arguments) repeated `repeats` times:
 * A B A B A B. Actions, not names: edit → test → edit → test with different edits is work, not a cycle.
 */
export function toolCycle(calls: readonly ToolCall[], repeats: number, keyOf: (call: ToolCall) => string = callAction): Finding | null {
  const tail = calls.slice(-4 * repeats * 2);
  const keys = tail.map(keyOf);
  const n = keys.length;
  for (let length = 2; length <= 4; length++) {
    if (n < length * repeats) continue;
    const block = keys.slice(n - length);
    if (new Set(block).size < 2) continue;
    let matched = 0;
    while (n - length - matched - 1 >= 0 && keys[n - 1 - matched] === keys[n - 1 - matched - length]) matched++;
    const found = 1 + Math.floor(matched / length);
    if (found >= repeats) {
      const names = tail.slice(n - length).map((call) => call.name);
      return {
        kind: 'tool_cycle',
        reason: `tool-call cycle ${names.join(' -> ')} repeated ${found} times`,
        details: { cycle: names, length, repeats: found, threshold: repeats },
      };
    }
  }
  return null;
}

/**
 * Similarity above which two assistant turns say the same thing: a reworded word or two in a sentence stays above it
 * ("Could you paste" / "Could you please paste"); a different file name or number in a short sentence falls below.
 */
export const NO_PROGRESS_SIMILARITY = 0.8;
/** How far back an assistant turn is compared against earlier ones. */
export const NO_PROGRESS_LOOKBACK = 16;

/**
 * The last `count` assistant turns that carry text each repeat (identical or at least `similarity` alike) an earlier
 * assistant turn: the model is saying the same thing over again. Turns with tool calls only are left to the tool
 * detectors and neither count nor break the run.
 */
export function noProgress(turns: readonly Turn[], count: number, similarity = NO_PROGRESS_SIMILARITY): Finding | null {
  const texts: string[] = [];
  for (let index = turns.length - 1; index >= 0 && texts.length < count + NO_PROGRESS_LOOKBACK; index--) {
    const turn = turns[index];
    if (turn?.role !== 'assistant') continue;
    const text = turn.text.trim();
    if (text) texts.push(text);
  }
  if (texts.length <= count) return null;
  texts.reverse();
  const sets = new Map<number, Shingles>();
  const setOf = (index: number): Shingles => {
    let set = sets.get(index);
    if (set === undefined) {
      set = shingles(texts[index] ?? '');
      sets.set(index, set);
    }
    return set;
  };
  let best = 0;
  // Newest first: a fresh answer (the common case) ends the check at once.
  for (let index = texts.length - 1; index >= texts.length - count; index--) {
    const text = texts[index] ?? '';
    let repeated = false;
    for (let earlier = index - 1; earlier >= 0 && !repeated; earlier--) {
      const other = texts[earlier] ?? '';
      if (other === text) repeated = true;
      // Jaccard ≥ s needs comparable sizes: skip shingling texts whose lengths are far apart.
      else if (Math.min(other.length, text.length) >= similarity * 0.8 * Math.max(other.length, text.length)) {
        repeated = jaccard(setOf(index), setOf(earlier)) >= similarity;
      }
    }
    if (!repeated) return null;
    best++;
  }
  return {
    kind: 'no_progress',
    reason: `the last ${best} assistant turns repeat earlier ones`,
    details: { turns: best, threshold: count, similarity, sample: preview(texts.at(-1) ?? '') },
  };
}

/**
 * The conversation's new content: the last assistant turn (its text and tool calls) and everything after it (the
 * tool results or user message being answered). Near-identical consecutive requests compare this part only.
 */
export function newPart(transcript: Transcript): string {
  const { turns } = transcript;
  let start = turns.length - 1;
  while (start > 0 && turns[start]?.role !== 'assistant') start--;
  if (start < 0) return '';
  let out = '';
  for (let index = start; index < turns.length; index++) {
    const turn = turns[index];
    if (turn === undefined) continue;
    out += `${turn.role}: ${turn.text}\n`;
    for (const call of turn.toolCalls) out += `call ${call.name} ${argsText(call)}\n`;
  }
  return out;
}

/** Top-level request fields that change between identical requests (or say nothing about the conversation). */
export const volatileFields: readonly string[] = ['stream', 'stream_options', 'metadata', 'user', 'safety_identifier', 'prompt_cache_key', 'store'];

/** Bodies up to this size are hashed in JS (no native call overhead); larger ones with SHA-1. */
const SMALL_BODY = 4_096;

/** Two FNV-1a lanes with different offsets (53 useful bits) over bytes or UTF-16 units, plus the length. */
function fnv(data: Buffer | string): string {
  let a = 0x811c9dc5;
  let b = 0x01234567;
  const length = data.length;
  // One loop per type: no type check per unit.
  if (typeof data === 'string') {
    for (let index = 0; index < length; index++) {
      const unit = data.charCodeAt(index);
      a = Math.imul(a ^ unit, 0x01000193);
      b = Math.imul(b ^ unit, 0x01000193) ^ (b >>> 15);
    }
  } else {
    for (let index = 0; index < length; index++) {
      const unit = data[index] as number;
      a = Math.imul(a ^ unit, 0x01000193);
      b = Math.imul(b ^ unit, 0x01000193) ^ (b >>> 15);
    }
  }
  return `${(a >>> 0).toString(36)}.${(b >>> 0).toString(36)}.${length}`;
}

/** One-shot crypto.hash where the runtime has it (Node ≥ 20.12): no Hash object per call. */
const oneShot = (crypto as { hash?: (algorithm: string, data: Buffer | string, encoding: 'base64') => string }).hash;
const sha1 = (data: Buffer | string): string => (oneShot ? oneShot('sha1', data, 'base64') : crypto.createHash('sha1').update(data).digest('base64'));

/**
 * Identity of a request for the retry cap and identical-request detection: a hash of the body without its volatile
 * fields. When the body has none of them, the raw bytes are hashed as they are (no re-serialisation).
 */
export function requestHash(body: Record<string, unknown>, rawBody: Buffer): string {
  let volatile = false;
  for (const field of volatileFields) if (field in body) volatile = true;
  let data: Buffer | string = rawBody;
  if (volatile) {
    const kept: Record<string, unknown> = {};
    for (const key of Object.keys(body).sort()) if (!volatileFields.includes(key)) kept[key] = body[key];
    data = JSON.stringify(kept);
  }
  return data.length <= SMALL_BODY ? fnv(data) : sha1(data);
}
