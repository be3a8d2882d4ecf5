import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StreamPart } from '../../spec/canonical.js';
import { createSseParser, type SseEvent } from '../shared/sse.js';
import { createGeminiStreamDecoder } from './gemini-stream.js';

const transcript = (name: string): string => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');

/** Feeds a transcript through the SSE parser in 7-byte pieces (splitting events, JSON and UTF-8) and decodes it. */
function decodeTranscript(text: string): StreamPart[] {
  const decoder = createGeminiStreamDecoder();
  const parts: StreamPart[] = [];
  const parser = createSseParser((event) => parts.push(...decoder.decode(event)));
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += 7) parser.push(bytes.subarray(i, i + 7));
  parser.end();
  parts.push(...decoder.end());
  return parts;
}

const event = (data: unknown): SseEvent => ({ event: undefined, id: undefined, data: typeof data === 'string' ? data : JSON.stringify(data) });

describe('createGeminiStreamDecoder', () => {
  it('decodes a text stream: response-start, deltas, finish, then usage of the last chunk', () => {
    expect(decodeTranscript(transcript('text.sse.txt'))).toEqual([
      { type: 'response-start', id: 'Qf5YaKq7Ou7ujMcP8Zq06Q0', model: 'gemini-2.0-flash', created: 0 },
      { type: 'text-delta', text: 'AI works' },
      { type: 'text-delta', text: ' by learning patterns from large amounts of data. A model is trained on examples' },
      { type: 'text-delta', text: ' and uses what it learned to make predictions — even about café menus ✓.' },
      { type: 'finish', finishReason: 'stop' },
      { type: 'usage', usage: { inputTokens: 11, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 34, reasoningTokens: 0 } },
    ]);
  });

  it('decodes thoughts and whole parallel function calls with their signature, STOP → tool-calls', () => {
    expect(decodeTranscript(transcript('function-call-thinking.sse.txt'))).toEqual([
      { type: 'response-start', id: '7Hh2aZ6hB-3Uz7IPg7es4Aw', model: 'gemini-3-pro-preview', created: 0 },
      { type: 'reasoning-delta', text: '**Checking the weather**\n\nThe user wants the temperature in two cities, so I will call the tool twice.' },
      { type: 'reasoning-signature', signature: 'EpEgCo4gAb4+9vvWwdN+NkNiCCwrqvFI8uf9IiD2A47Bm4Sga0kUTm4e' },
      { type: 'tool-call-start', index: 0, id: 'call_0', name: 'get_current_temperature' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"location":"Paris"}' },
      { type: 'tool-call-start', index: 1, id: 'call_1', name: 'get_current_temperature' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{"location":"London"}' },
      { type: 'finish', finishReason: 'tool-calls' },
      { type: 'usage', usage: { inputTokens: 74, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 225, reasoningTokens: 195 } },
    ]);
  });

  it('decodes a thinking stream over a cached prompt', () => {
    expect(decodeTranscript(transcript('thinking-cached.sse.txt'))).toEqual([
      { type: 'response-start', id: 'xG1vaLPBK5yqjMcPi-f9wQk', model: 'gemini-2.5-flash', created: 0 },
      { type: 'reasoning-delta', text: '**Summarising the transcript**\n\nThe cached transcript is long; I focus on the landing.' },
      { type: 'text-delta', text: 'Eagle landed in the Sea of Tranquility' },
      { type: 'reasoning-signature', signature: 'CpMBAdHtim+1RkUeCEiVfzaVRCOPldcxJ8bBJrDz9BR7Kd5V2FD3wnr5' },
      { type: 'text-delta', text: ' on 20 July 1969.' },
      { type: 'finish', finishReason: 'stop' },
      {
        type: 'usage',
        usage: { inputTokens: 29, cacheReadTokens: 696190, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 145, reasoningTokens: 130 },
      },
    ]);
  });

  it('finishes with content-filter when the prompt is blocked', () => {
    const decoder = createGeminiStreamDecoder();
    const parts = decoder.decode(event({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: { promptTokenCount: 7, totalTokenCount: 7 }, responseId: 'r1' }));
    expect(parts).toEqual([
      { type: 'response-start', id: 'r1', model: '', created: 0 },
      { type: 'finish', finishReason: 'content-filter' },
      { type: 'usage', usage: { inputTokens: 7, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 0, reasoningTokens: 0 } },
    ]);
    expect(decoder.end()).toEqual([]);
  });

  it('maps MAX_TOKENS to length and SAFETY to content-filter', () => {
    const finishOf = (finishReason: string) =>
      createGeminiStreamDecoder()
        .decode(event({ candidates: [{ content: { parts: [{ text: 'a' }] }, finishReason }] }))
        .find((part) => part.type === 'finish');
    expect(finishOf('MAX_TOKENS')).toEqual({ type: 'finish', finishReason: 'length' });
    expect(finishOf('SAFETY')).toEqual({ type: 'finish', finishReason: 'content-filter' });
    expect(finishOf('OTHER')).toEqual({ type: 'finish', finishReason: 'other' });
  });

  it('turns a chunk that does not parse into an error part and keeps decoding', () => {
    const decoder = createGeminiStreamDecoder();
    expect(decoder.decode(event('{"candidates": [oops'))).toEqual([
      { type: 'error', errorType: 'upstream_bad_response', message: 'Gemini sent a stream chunk that is not JSON: {"candidates": [oops' },
    ]);
    expect(decoder.decode(event({ candidates: [{ content: { parts: [{ functionCall: { args: {} } }] } }] }))).toEqual([
      { type: 'error', errorType: 'upstream_bad_response', message: expect.stringContaining('candidates[0].content.parts[0].functionCall.name') },
    ]);
    expect(decoder.decode(event({ candidates: [{ content: { parts: [{ text: 'ok' }] }, finishReason: 'STOP' }] }))).toEqual([
      { type: 'response-start', id: '', model: '', created: 0 },
      { type: 'text-delta', text: 'ok' },
      { type: 'finish', finishReason: 'stop' },
    ]);
  });

  it('passes an error object sent mid-stream as an error part', () => {
    const decoder = createGeminiStreamDecoder();
    decoder.decode(event({ candidates: [{ content: { parts: [{ text: 'partial' }] } }], responseId: 'r2' }));
    expect(decoder.decode(event({ error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } }))).toEqual([
      { type: 'error', errorType: 'UNAVAILABLE', message: 'The model is overloaded. Please try again later.' },
    ]);
    expect(decoder.end()).toEqual([]);
  });

  it('reports a stream that ends without a finish reason, with the usage seen so far', () => {
    const decoder = createGeminiStreamDecoder();
    decoder.decode(event({ candidates: [{ content: { parts: [{ text: 'cut' }] } }], usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 1 } }));
    expect(decoder.end()).toEqual([
      { type: 'usage', usage: { inputTokens: 5, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 1, reasoningTokens: 0 } },
      { type: 'error', errorType: 'upstream_bad_response', message: 'The Gemini stream ended before a finish reason.' },
    ]);
  });

  it('sends usage again from end() when a chunk after the finish changed it, and ignores blank data', () => {
    const decoder = createGeminiStreamDecoder();
    decoder.decode(event({ candidates: [{ content: { parts: [{ text: 'a' }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 1 } }));
    expect(decoder.decode(event({ usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 2 } }))).toEqual([]);
    expect(decoder.decode(event(''))).toEqual([]);
    expect(decoder.end()).toEqual([
      { type: 'usage', usage: { inputTokens: 5, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 2, reasoningTokens: 0 } },
    ]);
  });
});
