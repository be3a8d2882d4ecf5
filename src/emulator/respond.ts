/**
 * Shared response helpers of the emulator: JSON replies, paced SSE streams with scripted failures, deterministic ids.
 * Everything here works on node:http's ServerResponse directly; no framework sits between the socket and the wire.
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { countTokens } from 'gpt-tokenizer';

export type HeaderMap = Record<string, string>;

/** Resolves after `ms` milliseconds; resolves at once for 0 so the unpaced path stays synchronous-cheap. */
export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/** Writes a complete JSON response with a content-length (keeps keep-alive connections reusable). */
export function sendJson(res: ServerResponse, options: { status: number; body: unknown; headers?: HeaderMap }): void {
  if (res.destroyed || res.headersSent) return;
  const payload = JSON.stringify(options.body);
  res.writeHead(options.status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(payload)),
    ...options.headers,
  });
  res.end(payload);
}

const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const base58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
export const hexDigits = '0123456789abcdef';

/** A deterministic id body of `length` characters drawn from `alphabet`, derived from `seed` by SHA-256. */
export function hashId(seed: string, length: number, alphabet: string = alnum): string {
  let out = '';
  for (let round = 0; out.length < length; round++) {
    const digest = createHash('sha256').update(`${seed}#${round}`).digest();
    for (const byte of digest) {
      if (out.length >= length) break;
      out += alphabet.charAt(byte % alphabet.length);
    }
  }
  return out;
}

/**
 * Splits generated text the way the emulator streams it: one word per chunk, each word with the whitespace that
 * follows it (leading whitespace stays with the first word). Deterministic, so tests can count chunks.
 */
export function splitWords(text: string): string[] {
  if (text === '') return [];
  const words = text.match(/(?:^\s+)?\S+\s*/g);
  return words ?? [text];
}

/** Splits a string into pieces of at most `size` characters (tool-call argument JSON streamed over several deltas). */
export function splitPieces(text: string, size = 8): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}

/**
 * One SSE event of a planned stream. `content` frames carry generated output (text words, thinking words, tool
 * argument pieces) and are what `stream_error_after` / `disconnect_after` count; `head` frames come before any
 * output; `meta` frames sit between outputs (block starts and stops); `tail` frames finish the stream.
 */
export interface Frame {
  kind: 'head' | 'content' | 'meta' | 'tail';
  data: string;
  /** The generated text this frame carries, used for tokens-per-second pacing. */
  text?: string;
}

export interface StreamPlan {
  headers: HeaderMap;
  frames: Frame[];
  /** Renders the provider's in-stream error event for a stream cut before frame `index`. */
  errorFrame: (index: number) => string;
  errorAfter: number | undefined;
  disconnectAfter: number | undefined;
  chunkDelayMs: number;
  tokensPerSecond: number | undefined;
}

type StopAction = 'end' | 'error' | 'disconnect';

/** Index of the frame before which the stream stops when cut after `n` content frames. */
function cutIndex(frames: Frame[], n: number): number {
  let seen = 0;
  let firstAfterHead = frames.length;
  let afterLastContent = -1;
  for (let i = 0; i < frames.length; i++) {
    const frame = frames[i];
    if (frame === undefined) continue;
    if (frame.kind !== 'head' && firstAfterHead === frames.length) firstAfterHead = i;
    if (frame.kind !== 'content') continue;
    seen++;
    afterLastContent = i + 1;
    if (seen === n) return i + 1;
  }
  return n === 0 || afterLastContent < 0 ? firstAfterHead : afterLastContent;
}

function planStop(plan: StreamPlan): { index: number; action: StopAction } {
  let stop: { index: number; action: StopAction } = { index: plan.frames.length, action: 'end' };
  if (plan.errorAfter !== undefined) stop = { index: cutIndex(plan.frames, plan.errorAfter), action: 'error' };
  if (plan.disconnectAfter !== undefined) {
    const index = cutIndex(plan.frames, plan.disconnectAfter);
    if (stop.action === 'end' || index < stop.index) stop = { index, action: 'disconnect' };
  }
  return stop;
}

function finish(res: ServerResponse, options: { out: string; action: StopAction; errorEvent: string }): void {
  if (res.destroyed) return;
  if (options.action === 'end') {
    res.end(options.out);
  } else if (options.action === 'error') {
    res.end(options.out + options.errorEvent);
  } else {
    // Headers and everything written so far reach the client, then the socket dies without the final chunk.
    res.flushHeaders();
    res.write(options.out, () => res.destroy());
  }
}

/**
 * Sends a planned SSE stream: status 200 with the plan's headers, then the frames, paced by `chunkDelayMs` between
 * frames and by `tokensPerSecond` on content frames. With no pacing the whole stream goes out in one write. A stream
 * may end early with the provider's error event or an abrupt socket close. A client that goes away stops the loop.
 */
export async function sendStream(res: ServerResponse, plan: StreamPlan): Promise<void> {
  if (res.destroyed) return;
  const stop = planStop(plan);
  const errorEvent = stop.action === 'error' ? plan.errorFrame(stop.index) : '';
  res.writeHead(200, { 'cache-control': 'no-cache', ...plan.headers });
  const tps = plan.tokensPerSecond ?? 0;
  if (plan.chunkDelayMs <= 0 && tps <= 0) {
    let out = '';
    for (let i = 0; i < stop.index; i++) out += plan.frames[i]?.data ?? '';
    finish(res, { out, action: stop.action, errorEvent });
    return;
  }
  for (let i = 0; i < stop.index; i++) {
    const frame = plan.frames[i];
    if (frame === undefined) continue;
    const paceMs = tps > 0 && frame.text !== undefined ? (countTokens(frame.text) / tps) * 1000 : 0;
    if (i > 0) await sleep(plan.chunkDelayMs + paceMs);
    if (res.destroyed) return;
    res.write(frame.data);
  }
  if (stop.action !== 'end' && stop.index > 0) await sleep(plan.chunkDelayMs);
  finish(res, { out: '', action: stop.action, errorEvent });
}

/** Formats one SSE event; `event` omitted gives a `data:`-only event (OpenAI Chat Completions, Gemini). */
export function sseEvent(data: unknown, event?: string): string {
  const json = JSON.stringify(data);
  return event === undefined ? `data: ${json}\n\n` : `event: ${event}\ndata: ${json}\n\n`;
}
