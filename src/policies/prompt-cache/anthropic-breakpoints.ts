/**
 * Automatic `cache_control` breakpoints on an Anthropic Messages body (the caller's own body on the fast path, or the
 * body translated from another dialect). Pure: returns the replaced `tools` / `system` / `messages`, never mutates.
 *
 * The prompt is cached in the order tools → system → messages; a breakpoint caches everything up to and including
 * its block (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching). Rules, in priority order when
 * the 4-breakpoint limit leaves room for fewer:
 *   final   the last block of the final message: the whole prompt is written, so the next turn (which resends it
 *           and appends) reads all of it
 *   system  the end of tools + system (the last system block, or the last tool): shared by every conversation
 *   stable  the last block of the message before the final user turn (the conversation so far): still read when
 *           the final turn is edited or retried, or is more than ~20 blocks away from the next breakpoint
 * Each only when its prefix is at least `minTokens` (shorter prefixes are not cached by the API).
 * The caller's breakpoints: never moved, changed or removed, and counted in the limit of 4. When the caller placed
 * any, breakpoints are only added after the caller's last one (the caller decided how its stable part is cached;
 * what follows is the conversation tail it could not mark in advance), and a top-level `cache_control` (Anthropic's
 * automatic caching) means the caller manages caching: nothing is added.
 * TTLs: 1h entries must come before 5m ones in a request, so a breakpoint after any 5m one is 5m too.
 */
import type { CacheTtl } from './ttl-chooser.js';

export const MAX_BREAKPOINTS = 4;

export type BreakpointRule = 'final' | 'system' | 'stable';

export interface PlacementOptions {
  minTokens: number;
  /** TTL for the system breakpoint and for the conversation ones (stable, final). */
  ttl: { system: CacheTtl; conversation: CacheTtl };
  /** Token estimate of a text (the cheap calibrated one: it only decides eligibility). */
  estimate: (text: string) => number;
}

export interface PlacedBreakpoint {
  rule: BreakpointRule;
  ttl: CacheTtl;
  /** Estimated tokens up to and including the marked block. */
  prefixTokens: number;
}

export interface Placement {
  /** Fields to replace in the body; empty when nothing was placed. */
  changes: Record<string, unknown>;
  placed: PlacedBreakpoint[];
  callerBreakpoints: number;
}

type Json = Record<string, unknown>;

/** One cacheable position: a tool, a system block or a message's content block. */
interface Slot {
  area: 'tools' | 'system' | 'messages';
  /** Index of the tool / system block / message. */
  index: number;
  /** Index of the block in the message's content (messages only; -1 = string content). */
  block: number;
  /** Estimated tokens up to and including this slot. */
  cumulative: number;
  callerTtl: CacheTtl | null;
  /** Anthropic rejects cache_control on thinking blocks and empty text blocks. */
  markable: boolean;
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function callerTtlOf(block: unknown): CacheTtl | null {
  if (!isRecord(block) || !isRecord(block.cache_control)) return null;
  return block.cache_control.ttl === '1h' ? '1h' : '5m';
}

function textOf(block: unknown): string {
  if (typeof block === 'string') return block;
  if (isRecord(block) && typeof block.text === 'string') return block.text;
  return JSON.stringify(block) ?? '';
}

function markable(block: unknown): boolean {
  if (typeof block === 'string') return block !== '';
  if (!isRecord(block)) return false;
  if (block.type === 'thinking' || block.type === 'redacted_thinking') return false;
  return !(block.type === 'text' && block.text === '');
}

function slotsOf(body: Json, estimate: (text: string) => number): Slot[] {
  const slots: Slot[] = [];
  let cumulative = 0;
  const push = (area: Slot['area'], index: number, block: number, value: unknown) => {
    cumulative += estimate(textOf(value));
    slots.push({ area, index, block, cumulative, callerTtl: typeof value === 'string' ? null : callerTtlOf(value), markable: markable(value) });
  };
  if (Array.isArray(body.tools)) body.tools.forEach((tool, index) => push('tools', index, -1, tool));
  if (typeof body.system === 'string') push('system', 0, -1, body.system);
  else if (Array.isArray(body.system)) body.system.forEach((block, index) => push('system', index, -1, block));
  if (Array.isArray(body.messages)) {
    body.messages.forEach((message, index) => {
      const content = isRecord(message) ? message.content : undefined;
      if (typeof content === 'string') push('messages', index, -1, content);
      else if (Array.isArray(content)) content.forEach((block, blockIndex) => push('messages', index, blockIndex, block));
    });
  }
  return slots;
}

/** The position of the last markable slot matching `where`, or -1. */
function lastSlot(slots: readonly Slot[], where: (slot: Slot) => boolean): number {
  for (let position = slots.length - 1; position >= 0; position -= 1) {
    const slot = slots[position];
    if (slot !== undefined && slot.markable && where(slot)) return position;
  }
  return -1;
}

function candidates(body: Json, slots: readonly Slot[]): Array<{ rule: BreakpointRule; position: number }> {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const finalIndex = messages.length - 1;
  const final = messages[finalIndex];
  const out: Array<{ rule: BreakpointRule; position: number }> = [];
  out.push({ rule: 'final', position: lastSlot(slots, (slot) => slot.area === 'messages' && slot.index === finalIndex) });
  out.push({ rule: 'system', position: lastSlot(slots, (slot) => slot.area !== 'messages') });
  if (isRecord(final) && final.role === 'user' && finalIndex >= 1) {
    out.push({ rule: 'stable', position: lastSlot(slots, (slot) => slot.area === 'messages' && slot.index === finalIndex - 1) });
  }
  return out;
}

const marker = (ttl: CacheTtl): Json => (ttl === '1h' ? { type: 'ephemeral', ttl: '1h' } : { type: 'ephemeral' });

function applyMarks(body: Json, marks: ReadonlyArray<{ slot: Slot; ttl: CacheTtl }>): Json {
  const changes: Json = {};
  const copy = (area: Slot['area']): unknown[] => {
    const existing = changes[area];
    if (Array.isArray(existing)) return existing;
    const source = body[area];
    const fresh = typeof source === 'string' ? [{ type: 'text', text: source }] : Array.isArray(source) ? [...source] : [];
    changes[area] = fresh;
    return fresh;
  };
  for (const { slot, ttl } of marks) {
    const list = copy(slot.area);
    if (slot.area !== 'messages') {
      list[slot.index] = { ...(list[slot.index] as Json), cache_control: marker(ttl) };
      continue;
    }
    const message = list[slot.index] as Json;
    const content = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : [...(message.content as unknown[])];
    const at = slot.block === -1 ? 0 : slot.block;
    content[at] = { ...(content[at] as Json), cache_control: marker(ttl) };
    list[slot.index] = { ...message, content };
  }
  return changes;
}

/** Decides and applies the automatic breakpoints (see the file comment for the rules). */
export function placeAnthropicBreakpoints(body: Json, options: PlacementOptions): Placement {
  const none = (callerBreakpoints: number): Placement => ({ changes: {}, placed: [], callerBreakpoints });
  if (body.cache_control !== undefined) return none(0);
  const slots = slotsOf(body, options.estimate);
  let lastCaller = -1;
  let callerBreakpoints = 0;
  slots.forEach((slot, position) => {
    if (slot.callerTtl === null) return;
    callerBreakpoints += 1;
    lastCaller = position;
  });
  let room = MAX_BREAKPOINTS - callerBreakpoints;
  const chosen: Array<{ rule: BreakpointRule; position: number }> = [];
  for (const candidate of candidates(body, slots)) {
    const slot = slots[candidate.position];
    if (room === 0 || slot === undefined || candidate.position <= lastCaller || slot.callerTtl !== null) continue;
    if (slot.cumulative < options.minTokens || chosen.some((other) => other.position === candidate.position)) continue;
    chosen.push(candidate);
    room -= 1;
  }
  if (chosen.length === 0) return none(callerBreakpoints);
  chosen.sort((a, b) => a.position - b.position);
  // 1h only while every earlier breakpoint (the caller's included) is 1h.
  let shortSeen = slots.some((slot, position) => position <= lastCaller && slot.callerTtl === '5m');
  const marks = chosen.map(({ rule, position }) => {
    const slot = slots[position] as Slot;
    const wanted = rule === 'system' ? options.ttl.system : options.ttl.conversation;
    const ttl: CacheTtl = shortSeen ? '5m' : wanted;
    if (ttl === '5m') shortSeen = true;
    return { rule, slot, ttl };
  });
  return {
    changes: applyMarks(body, marks),
    placed: marks.map(({ rule, slot, ttl }) => ({ rule, ttl, prefixTokens: slot.cumulative })),
    callerBreakpoints,
  };
}
